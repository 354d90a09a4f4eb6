import * as path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** The real data root (CI sets DIGIT_LAB_DATA_DIR to ../shared/data). */
export const REAL_DATA_DIR = path.resolve(process.env.DIGIT_LAB_DATA_DIR ?? path.join(PROJECT_ROOT, "data"));
