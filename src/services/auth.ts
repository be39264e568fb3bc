/**
 * Turns an `Authorization` header into an actor. Agent keys and board tokens are looked up by
 * hash; in `local_trusted` mode a request without credentials acts as the board. A credential
 * that is presented but unknown or revoked is always 401, in every mode.
 */
import type { Config } from "../config";
import { type Actor, BOARD } from "../domain/actor";
import { unauthorized } from "../domain/errors";
import { AGENT_KEY_PREFIX, hashToken, safeEqual } from "../domain/tokens";
import type { Db } from "../store/db";
import { credentialsRepo } from "../store/repos/credentials";

export interface AuthService {
  resolve(authorization: string | undefined): Promise<Actor>;
  hasBoardTokens(): Promise<boolean>;
}

export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized("Authorization header must be 'Bearer <token>'");
  return match[1];
}

export function createAuthService(db: Db, config: Pick<Config, "deploymentMode" | "boardToken">): AuthService {
  return {
    async resolve(authorization) {
      const token = parseBearer(authorization);
      if (token === undefined) {
        if (config.deploymentMode === "local_trusted") return BOARD;
        throw unauthorized("Missing Authorization: Bearer <agent key or board token>");
      }
      if (token.startsWith(AGENT_KEY_PREFIX)) {
        const key = await credentialsRepo.findActiveAgentKey(db, hashToken(token));
        if (!key) throw unauthorized("Invalid or revoked API key");
        await credentialsRepo.touchAgentKey(db, key.keyId);
        return { kind: "agent", agentId: key.agentId, companyId: key.companyId, keyId: key.keyId };
      }
      if (config.boardToken && safeEqual(token, config.boardToken)) return BOARD;
      if (await credentialsRepo.findActiveBoardToken(db, hashToken(token))) return BOARD;
      throw unauthorized("Invalid or revoked API key");
    },
    async hasBoardTokens() {
      return (await credentialsRepo.countActiveBoardTokens(db)) > 0;
    },
  };
}
