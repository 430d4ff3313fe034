/**
 * Routing: conditions compiled from expressions ({@link dev.sluice.routing.Conditions}),
 * transformations ({@link dev.sluice.routing.Transforms}), routing rules, the router and traces
 * that show how rules treated a record.
 */
package dev.sluice.routing;
