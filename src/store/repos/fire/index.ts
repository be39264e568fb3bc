/** Fires' reads and writes: the context a batch reads under its locks, and the one-statement write of its plan. */
import { readBatchContext } from "./context";
import { writeFires } from "./write";

export type { BatchContext, BatchContextQuery, GateFacts } from "./context";
export type { CommentInsert, FireRows, IssueInsert, ReplayInsert, RunActivityInsert, RunInsert } from "./rows";

export const fireRepo = { context: readBatchContext, write: writeFires };
