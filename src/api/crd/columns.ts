// Printer columns shared by several kinds.
import type { PrinterColumn } from "./types.ts";

const READY = '.status.conditions[?(@.type=="Ready")]';

export const age: PrinterColumn = {
  name: "AGE",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
};
export const readyReason: PrinterColumn = {
  name: "Status",
  type: "string",
  jsonPath: `${READY}.reason`,
};
export const readyStatus: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: `${READY}.status`,
};
