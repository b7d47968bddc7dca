/**
 * Routing: `bindings[]` pick the agent of an inbound message with OpenClaw's precedence, and the
 * session key under that agent follows `session.dmScope` and `session.identityLinks`.
 */
export {
  BINDING_TIERS,
  type BindingConfig,
  type BindingResolution,
  type BindingTier,
  bindingTier,
  type RouteInput,
  type RoutePeer,
  resolveBinding,
} from "./bindings.js";
export { type BindingRouterSettings, bindingRouter, resolveAgentFor, routeInputOf } from "./router.js";
