/**
 * Where each dataset's four files come from and what they must hash to. The checksums
 * are the published SHA-256 of the original gzip files; the mirrors are the standard
 * public download locations, tried in order.
 */
export type DatasetName = "mnist" | "fashion-mnist";
export const DATASET_NAMES: readonly DatasetName[] = ["mnist", "fashion-mnist"];

export type DataFileRole = "trainImages" | "trainLabels" | "testImages" | "testLabels";

export interface DataFileSpec {
  /** File name as distributed (gzip). */
  name: string;
  sha256: string;
  bytes: number;
}

export interface DatasetSpec {
  name: DatasetName;
  title: string;
  /** Its short name in running text ("Fashion-MNIST test accuracy"). */
  label: string;
  classNames: readonly string[];
  files: Record<DataFileRole, DataFileSpec>;
  /** Base URLs; a file's URL is base + file name. */
  mirrors: readonly string[];
}

export const DATASETS: Record<DatasetName, DatasetSpec> = {
  mnist: {
    name: "mnist",
    title: "MNIST handwritten digits",
    label: "MNIST",
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    files: {
      trainImages: { name: "train-images-idx3-ubyte.gz", bytes: 9912422, sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" },
      trainLabels: { name: "train-labels-idx1-ubyte.gz", bytes: 28881, sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c" },
      testImages: { name: "t10k-images-idx3-ubyte.gz", bytes: 1648877, sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6" },
      testLabels: { name: "t10k-labels-idx1-ubyte.gz", bytes: 4542, sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" },
    },
    mirrors: [
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
      "http://yann.lecun.com/exdb/mnist/",
    ],
  },
  "fashion-mnist": {
    name: "fashion-mnist",
    title: "Fashion-MNIST (Zalando)",
    label: "Fashion-MNIST",
    classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    files: {
      trainImages: { name: "train-images-idx3-ubyte.gz", bytes: 26421880, sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84" },
      trainLabels: { name: "train-labels-idx1-ubyte.gz", bytes: 29515, sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845" },
      testImages: { name: "t10k-images-idx3-ubyte.gz", bytes: 4422102, sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073" },
      testLabels: { name: "t10k-labels-idx1-ubyte.gz", bytes: 5148, sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5" },
    },
    mirrors: [
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ],
  },
};

/** The dataset digit-lab knows by this name, or undefined. */
export function datasetSpec(name: string): DatasetSpec | undefined {
  return (DATASET_NAMES as readonly string[]).includes(name) ? DATASETS[name as DatasetName] : undefined;
}
