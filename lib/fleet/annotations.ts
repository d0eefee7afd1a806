// Annotations strata writes for its own checks, where intent cannot be read from the objects.

/**
 * Annotation on a Gateway strata renders: its data plane (`TrafficPeer` as JSON), from which
 * routes' traffic reaches the backends. The pods of a data plane are created by its controller,
 * so without it the flow checks could not tell where routed connections come from.
 */
export const DATA_PLANE_ANNOTATION = 'strata.dev/data-plane';
