/**
 * Contract tests every plugin runs ({@link dev.sluice.testkit.ConnectorContract}, {@link
 * dev.sluice.testkit.DestinationContract}, {@link dev.sluice.testkit.StoreContract} and the
 * store capability contracts), and test helpers: a collecting emitter, a read context, plugin jars
 * built at test time and a check that no internal type leaks into a public signature.
 */
package dev.sluice.testkit;
