/**
 * Implementation of the {@code s3} destination: settings, key templates, uploads, error
 * classification and the SDK client. Not API: nothing here appears in a public signature outside
 * this package.
 */
package dev.sluice.destinations.s3.internal;
