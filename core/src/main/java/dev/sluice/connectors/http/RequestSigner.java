package dev.sluice.connectors.http;

import java.util.Map;

/**
 * Signs the http connector's requests for APIs that want more than a token: an HMAC of the method,
 * path, date and body (many payment and exchange APIs), AWS Signature Version 4, and the like.
 * Created by a {@link RequestSignerProvider}; configured as {@code signer: {type: NAME, ...}} on an
 * http source.
 *
 * <p>The connector calls {@link #sign} for every attempt of every request (retries and pages
 * included) after authentication was applied and right before sending, so a signature can cover
 * a fresh timestamp. It adds the returned headers to the request, replacing headers of the same
 * name.
 *
 * <p>Thread-safety: one signer serves every concurrent read of its source; {@code sign} must be
 * safe to call from several threads. Implementations must not log secrets.
 */
@FunctionalInterface
public interface RequestSigner {

  /**
   * The headers that sign {@code request}.
   *
   * @param request what is about to be sent, never null
   * @return headers to add (name to value), never null; values must not contain CR or LF
   * @throws Exception when the request can't be signed; the read fails with the message (which
   *     must not hold a secret)
   */
  Map<String, String> sign(SignableRequest request) throws Exception;
}
