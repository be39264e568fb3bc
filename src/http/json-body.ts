/**
 * The JSON body parser of the API: fastify's own (prototype poisoning refused), after a check of the nesting depth
 * on the raw text, so that a deeply nested body is a 400 naming the limit before anything parses, stores or
 * serialises it (5,000 levels overflowed JSON.stringify's stack when a run was written).
 */
import type { FastifyInstance } from "fastify";
import { badRequest } from "../domain/errors";

/** The deepest nesting of arrays and objects in JSON text, counted without parsing; stops once past `max`. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

export function registerJsonBodyParser(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser("error", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    // A JSON content type with no body is no body (Paperclip's UI and curl users send the header on every request).
    if ((body as string).trim() === "") return done(null, undefined);
    if (jsonDepthExceeds(body as string, maxDepth)) {
      return done(badRequest(`JSON body is nested deeper than ${maxDepth} levels (the limit, ROUTINED_JSON_MAX_DEPTH)`), undefined);
    }
    parse(request, body as string & Buffer, done);
  });
}
