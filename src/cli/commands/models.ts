import { type Command, backendFromArgs, printJson } from "../command";
import { listModels } from "../../models";

export const command: Command = {
  name: "models",
  summary: "list the built-in model architectures with their layer sizes and parameter counts",
  help: [
    "usage: digit-lab models [--json]",
    "",
    "Lists the named architectures `train --model` accepts. Any dense stack can also be given",
    'as a spec like "dense:512-256" (hidden layer sizes). --json prints [{"name","layers","params",…}].',
  ].join("\n"),
  options: {},
  async run(args) {
    await backendFromArgs(args);
    const models = listModels();
    if (args.values.json) {
      printJson(models.map((m) => ({ name: m.name, layers: m.layers, params: m.params, input: m.input, description: m.description })));
      return 0;
    }
    const rows = [["name", "input", "layers", "params", "description"]];
    for (const m of models) {
      rows.push([m.name, m.input === "flat" ? "784" : "28×28×1", m.layers.join("-"), m.params.toLocaleString("en-US"), m.description]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
      r.map((c, i) => (i === 3 ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
    process.stdout.write([line(rows[0]), ...rows.slice(1).map(line), "", 'Any dense stack: --model "dense:512-256".'].join("\n") + "\n");
    return 0;
  },
};
