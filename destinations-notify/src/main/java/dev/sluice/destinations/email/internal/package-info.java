/** Attachments and address checks of the email destination. Not API. */
package dev.sluice.destinations.email.internal;
