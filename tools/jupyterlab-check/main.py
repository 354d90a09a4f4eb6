# Minimal JupyterLab server (jupyterlab_server's LabServerApp), cf. jupyterlab examples/app.
# check.js starts it with JLAB_CHECK_APP_DIR (the app: this folder for 3.6, lab4/ for 4),
# JLAB_CHECK_STATE_DIR (user settings and workspaces, out of the tool's folder) and
# JLAB_CHECK_SETTINGS_DIR (overrides.json: settings/ by default, a written copy with --windowing).
import json, os
from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.environ.get('JLAB_CHECK_APP_DIR', HERE)
STATE = os.environ.get('JLAB_CHECK_STATE_DIR', HERE)
with open(os.path.join(APP, 'package.json')) as fid:
    version = json.load(fid)['version']

class CheckLabApp(LabServerApp):
    extension_url = '/lab'
    default_url = '/lab'
    app_url = '/lab'
    name = __name__
    load_other_extensions = False
    app_name = 'JupyterLab (digit-lab check)'
    app_version = version
    static_dir = os.path.join(APP, 'build')
    templates_dir = os.path.join(HERE, 'templates')
    app_settings_dir = os.environ.get('JLAB_CHECK_SETTINGS_DIR', os.path.join(HERE, 'settings'))
    schemas_dir = os.path.join(APP, 'build', 'schemas')
    themes_dir = os.path.join(APP, 'build', 'themes')
    user_settings_dir = os.path.join(STATE, 'user_settings')
    workspaces_dir = os.path.join(STATE, 'workspaces')

def _jupyter_server_extension_points():
    return [{'module': __name__, 'app': CheckLabApp}]

if __name__ == '__main__':
    CheckLabApp.launch_instance()
