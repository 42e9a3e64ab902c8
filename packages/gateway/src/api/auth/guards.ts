/**
 * Route guards (api.md §2). The app's onRequest hook sets `request.principal` (see app.ts); these helpers turn
 * it into the spec's 401/403 answers.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { ApiKeyRole } from "../../config";
import { HttpError, roleAllows } from "../app";

/** 401 `UNAUTHORIZED` unless a principal is set; returns it. */
export function requirePrincipal(request: FastifyRequest) {
  const p = request.principal;
  if (!p) {
    throw new HttpError(
      "UNAUTHORIZED",
      request.invalidKey ? "The API key is unknown, revoked or expired" : "An API key is required",
    );
  }
  return p;
}

/**
 * preHandler: 401 without a valid key, 403 `FORBIDDEN` unless the role is one of `roles` (admin passes
 * everything, operator everything but admin). Same rule as `app.requireRole`.
 */
export function requireRole(...roles: ApiKeyRole[]): preHandlerAsyncHookHandler {
  return async (request) => {
    assertRole(request, ...roles);
  };
}

/** Throws 401/403 like `requireRole`, inline. */
export function assertRole(request: FastifyRequest, ...roles: ApiKeyRole[]): void {
  const p = requirePrincipal(request);
  if (!roles.some((r) => roleAllows(p.role, r)))
    throw new HttpError("FORBIDDEN", `This route needs the role ${roles.join(" or ")}`);
}

/** True when the principal may act for `address` (operator/admin/open: any; worker/verifier: bound ones). */
export function isBoundTo(request: FastifyRequest, address: string): boolean {
  const p = request.principal;
  if (!p) return false;
  if (p.role === "operator" || p.role === "admin") return true;
  const a = address.toLowerCase();
  return p.addresses.some((x) => x.toLowerCase() === a);
}

/** 401 without a principal; 403 `ADDRESS_NOT_BOUND` when a worker/verifier key is not bound to `address`. */
export function assertBoundTo(request: FastifyRequest, address: string): void {
  requirePrincipal(request);
  if (!isBoundTo(request, address))
    throw new HttpError("ADDRESS_NOT_BOUND", `This API key is not bound to ${address.toLowerCase()}`);
}

/** Rate-limit and idempotency principal: the key's stable id, else `ip:<client ip>` (TRUST_PROXY applied). */
export function rateLimitPrincipal(request: FastifyRequest): string {
  const p = request.principal;
  if (p && p.via !== "open") return p.id;
  return `ip:${request.ip}`;
}
