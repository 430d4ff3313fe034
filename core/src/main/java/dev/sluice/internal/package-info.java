/**
 * Implementation shared by Sluice's packages (JSON helpers, the plugin context, HMAC). Not API:
 * may change in any release; nothing here appears in a public signature.
 */
package dev.sluice.internal;
