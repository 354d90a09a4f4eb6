/**
 * Preprocessing for "your own digits": any picture of a digit → a 28×28 MNIST-like image.
 * `core` (pure, also bundled for the browser) does the work; `files` reads and writes images.
 */
export {
  preprocess, hasDarkInk, strokeWidth, MNIST_SIZE, MNIST_BOX, MNIST_STROKE_WIDTH, MNIST_CENTRE, MAX_WORK_SIDE,
  type PreprocessOptions, type PreprocessStages, type PreprocessInfo, type Preprocessed,
} from "./core";
export { createImage, toGrey, toRgba, resize, cropImage, centreOfMass, type GreyImage, type Box } from "./image";
export {
  sniffFormat, decodeImage, readImageFile, preprocessFile, encodePng, encodeJpeg, MAX_MEGAPIXELS, type ImageFormat,
} from "./files";
export { applyOrientation, type Orientation } from "./orientation";
export { jpegOrientation, pngOrientation } from "./exif";
export { jpegSize, pngSize, type ImageSize } from "./headers";
export { paperPhoto, randomPaperLook, boxBlur, type PaperLook, type StrokeChange } from "./simulate";
