/** Who is making a request: the board (operators) or one agent of one company. */
export type Actor =
  | { kind: "board" }
  | { kind: "agent"; agentId: string; companyId: string; keyId: string };

export const BOARD: Actor = { kind: "board" };
