export {
  type ApiKeyAuthenticator,
  type ApiKeyPrincipal,
  type CreateApiKeyAuthenticatorParameters,
  createApiKeyAuthenticator,
} from "./authenticator";
export {
  assertBoundTo,
  assertRole,
  isBoundTo,
  rateLimitPrincipal,
  requirePrincipal,
  requireRole,
} from "./guards";
export { API_KEY_PATTERN, API_KEY_ROLES, apiKeyPrefix, generateApiKey, hashApiKey } from "./keys";
