/**
 * The {@code slack} destination: messages from Mustache templates, posted with the Web API's {@code
 * chat.postMessage} (bot token) or to an incoming webhook. See {@link
 * dev.sluice.destinations.slack.SlackDestinationProvider} for the options and {@code
 * docs/user-guide/destinations.md} for examples.
 */
package dev.sluice.destinations.slack;
