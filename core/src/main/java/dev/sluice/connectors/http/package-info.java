/**
 * The built-in {@code http} connector for REST APIs, and the pieces other connectors reuse: OAuth
 * 2.0 tokens ({@link dev.sluice.connectors.http.OAuthTokens}), {@code Link} header parsing,
 * secret masking ({@link dev.sluice.connectors.http.Redactor}) and the request signer plugin
 * interface ({@link dev.sluice.connectors.http.RequestSigner}).
 */
package dev.sluice.connectors.http;
