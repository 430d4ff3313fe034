/**
 * Loading plugins from plugin folders, each in its own child-first class loader. Not API: may
 * change in any release.
 */
package dev.sluice.internal.plugins;
