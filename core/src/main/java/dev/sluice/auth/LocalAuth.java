package dev.sluice.auth;

import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import dev.sluice.store.ApiKey;
import dev.sluice.store.AuditEvent;
import dev.sluice.store.AuditLog;
import dev.sluice.store.AuthStateStore;
import dev.sluice.store.LoginFailures;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.RefreshToken;
import dev.sluice.store.RoleStore;
import dev.sluice.store.Store;
import dev.sluice.store.UserAccount;
import dev.sluice.store.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local authentication: users with passwords, access and refresh tokens, API keys, custom roles,
 * login throttling and the audit log, on a {@link Store}. This is what the REST server's {@code
 * /api/v1/auth/*} endpoints, the {@code sluice users|api-keys|roles} commands and embedding hosts
 * call.
 *
 * <pre>{@code
 * LocalAuth auth = LocalAuth.builder(store, secrets).build();
 * auth.createUser(Actor.cli(), "alice", password, Set.of("operator"));
 * TokenPair tokens = auth.login("alice", password, "192.0.2.7");
 * Authenticator authenticator = auth.authenticator();   // API keys, then local JWTs
 * AccessPolicy policy = auth.accessPolicy();            // built-in and stored roles
 * }</pre>
 *
 * <h2>Store</h2>
 *
 * Needs the store's {@link Store#users()} and {@link Store#authState()}; uses {@link Store#roles()}
 * (custom roles) and {@link Store#auditLog()} when the store has them. The private keys that sign
 * access tokens are encrypted with the master key of {@link Secrets}; after the master key is
 * rotated, a new signing key is made (tokens signed before stay valid until they expire).
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Passwords: {@link PasswordHasher} (PBKDF2-HMAC-SHA256, 600,000 iterations by default),
 *       upgraded on login when the iteration count was raised; new passwords pass the {@link
 *       PasswordPolicy}. A login of an unknown or disabled user costs the time of a wrong password
 *       and fails with the same message.
 *   <li>Throttling: too many failed logins of one user name, or from one client address, within a
 *       window lock it for a while ({@link LocalAuthSettings}); admins see and lift locks ({@link
 *       #lockouts()}, {@link #unlock}).
 *   <li>Tokens: ES256 JWTs with {@code sub iss aud exp iat nbf jti roles}, signed by a key with a
 *       {@code kid} that rotates; {@link #jwks()} publishes the public keys. Refresh tokens are
 *       opaque, stored hashed, valid once; using one twice revokes its whole family (a stolen token
 *       was used). {@link #logout} revokes the family.
 *   <li>API keys: {@code sluice_ak_...}, shown once, stored hashed, with roles, expiry and last use.
 *   <li>Nothing secret is logged, audited or put in an exception message.
 * </ul>
 *
 * <p>Authorisation is not checked here: callers ask {@link #accessPolicy()} (e.g. for {@code
 * users:admin}) before calling an administrative method, and pass the {@link Actor} for the audit
 * log.
 *
 * <p>Thread-safe.
 */
public final class LocalAuth {
  private static final Logger LOG = LoggerFactory.getLogger(LocalAuth.class);
  private static final Duration LAST_USE_PRECISION = Duration.ofMinutes(1);

  private final UserStore users;
  private final AuthStateStore state;
  private final RoleStore roleStore; // may be null
  private final AuditLog audit; // may be null
  private final Clock clock;
  private final LocalAuthSettings settings;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final SigningKeyRing keys;
  private final AccessTokens accessTokens;
  private final RoleBasedAccessPolicy accessPolicy;
  private final Object throttleLock = new Object();

  private LocalAuth(Builder b) {
    this.users = MissingStoreCapabilityException.require(b.store, Store::users, "users", "local authentication");
    this.state = MissingStoreCapabilityException.require(b.store, Store::authState, "authentication state",
        "local authentication");
    this.roleStore = b.store.roles().orElse(null);
    this.audit = b.store.auditLog().orElse(null);
    this.clock = b.clock;
    this.settings = b.settings;
    this.hasher = b.hasher != null ? b.hasher : PasswordHasher.defaults();
    this.policy = b.policy;
    Duration keepRetired = settings.accessTokenTtl().plus(settings.clockSkew()).plusMinutes(1);
    this.keys = new SigningKeyRing(state, b.secrets, clock, settings.signingKeyLifetime(), keepRetired);
    this.accessTokens = new AccessTokens(keys, clock, settings.issuer(), settings.audience(),
        settings.accessTokenTtl(), settings.clockSkew(), settings.maxTokenLength());
    RoleBasedAccessPolicy.Builder pb = RoleBasedAccessPolicy.builder().pipelineTags(b.pipelineTags);
    if (roleStore != null) {
      pb.roles(roleStore);
    }
    this.accessPolicy = pb.build();
  }

  /**
   * @param store keeps users, tokens, keys and (if it can) roles and the audit log
   * @param secrets the opened secrets of the installation; their master key encrypts the token
   *     signing keys
   * @return a new builder
   */
  public static Builder builder(Store store, Secrets secrets) {
    return new Builder(store, secrets);
  }

  /** Builds a {@link LocalAuth}. Not thread-safe. */
  public static final class Builder {
    private final Store store;
    private final Secrets secrets;
    private Clock clock = Clock.systemUTC();
    private LocalAuthSettings settings = LocalAuthSettings.defaults();
    private PasswordHasher hasher;
    private PasswordPolicy policy = PasswordPolicy.defaults();
    private java.util.function.Function<String, Set<String>> pipelineTags = p -> Set.of();

    private Builder(Store store, Secrets secrets) {
      this.store = Objects.requireNonNull(store, "store");
      this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    /**
     * The clock for token times, expiries, lockouts and the audit log; the system UTC clock by
     * default.
     *
     * @param clock never null
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Token and throttling settings; {@link LocalAuthSettings#defaults()} unless set.
     *
     * @param settings never null
     * @return this builder
     */
    public Builder settings(LocalAuthSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * The password hasher: {@link PasswordHasher#defaults()} unless set (tests set a cheaper one).
     *
     * @param hasher never null
     * @return this builder
     */
    public Builder passwordHasher(PasswordHasher hasher) {
      this.hasher = Objects.requireNonNull(hasher, "hasher");
      return this;
    }

    /**
     * What new passwords must be; {@link PasswordPolicy#defaults()} unless set.
     *
     * @param policy never null
     * @return this builder
     */
    public Builder passwordPolicy(PasswordPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The tags of a pipeline, for {@link LocalAuth#accessPolicy()}'s {@code @tag:} grants; none by
     * default.
     *
     * @param tags pipeline name → its tags, never null
     * @return this builder
     */
    public Builder pipelineTags(java.util.function.Function<String, Set<String>> tags) {
      this.pipelineTags = Objects.requireNonNull(tags, "tags");
      return this;
    }

    /**
     * Builds the local authentication.
     *
     * @return the local authentication
     * @throws MissingStoreCapabilityException when the store keeps no users or authentication state
     */
    public LocalAuth build() {
      return new LocalAuth(this);
    }
  }

  /**
   * The token and throttling settings in use.
   *
   * @return the settings
   */
  public LocalAuthSettings settings() {
    return settings;
  }

  /**
   * The policy of built-in and stored roles, for the callers of this class to ask.
   *
   * @return the policy
   */
  public RoleBasedAccessPolicy accessPolicy() {
    return accessPolicy;
  }

  // --- login, refresh, logout ---------------------------------------------------------------

  /**
   * Checks a user's password and issues a token pair. The password is not cleared.
   *
   * @param username the user name; null counts as an unknown user
   * @param password the password given, never null
   * @param clientAddress where the request came from (counted for throttling), or null
   * @return a new access and refresh token pair
   * @throws AuthenticationException {@link AuthenticationException.Reason#INVALID_CREDENTIALS}
   *     (unknown user, wrong password, disabled user: one message for all) or {@link
   *     AuthenticationException.Reason#LOCKED_OUT}
   */
  public TokenPair login(String username, char[] password, String clientAddress) {
    Objects.requireNonNull(password, "password");
    String name = username == null ? "" : username;
    Instant now = clock.instant();
    Optional<Instant> locked = lockedUntil(name, clientAddress, now);
    if (locked.isPresent()) {
      hasher.verifyNothing(password); // same cost as any other answer
      record(name, "login", name, false, clientAddress, "refused: locked after too many failed logins");
      throw new AuthenticationException(AuthenticationException.Reason.LOCKED_OUT,
          "too many failed logins; try again later", locked.get());
    }
    Optional<UserAccount> account = name.isEmpty() || name.length() > 200 ? Optional.empty() : users.find(name);
    boolean ok;
    boolean rehash = false;
    if (account.isEmpty() || !account.get().enabled()) {
      ok = hasher.verifyNothing(password);
    } else {
      PasswordHasher.Verification v = hasher.verify(password, account.get().passwordHash());
      ok = v.matches();
      rehash = v.needsRehash();
    }
    if (!ok) {
      Optional<Instant> nowLocked = countFailure(name, clientAddress, now);
      record(name, "login", name, false, clientAddress, account.isEmpty() ? "unknown user"
          : !account.get().enabled() ? "user disabled" : "wrong password");
      LOG.info("login failed for user '{}' from {}", printable(name), printable(clientAddress));
      if (nowLocked.isPresent()) {
        throw new AuthenticationException(AuthenticationException.Reason.LOCKED_OUT,
            "too many failed logins; try again later", nowLocked.get());
      }
      throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS,
          "invalid user name or password", null);
    }
    UserAccount user = account.get();
    if (rehash) {
      UserAccount upgraded = new UserAccount(user.username(), hasher.hash(password), user.roles(), user.enabled(),
          user.createdAt());
      users.save(upgraded);
      LOG.info("password hash of user '{}' upgraded to {} iterations", user.username(), hasher.iterations());
    }
    state.clearLoginFailures(userSubject(name));
    record(user.username(), "login", user.username(), true, clientAddress, null);
    return issuePair(user, OpaqueTokens.randomId("fam_", 20), now);
  }

  /**
   * Exchanges a refresh token for a new pair; the token given is used up. Presenting a used token
   * again revokes every token of its family (the user must log in again).
   *
   * @param refreshToken the refresh token given; null or malformed is an invalid token
   * @param clientAddress where the request came from (for the audit log), or null
   * @return the next token pair
   * @throws AuthenticationException {@link AuthenticationException.Reason#INVALID_TOKEN} or {@link
   *     AuthenticationException.Reason#TOKEN_REUSED}
   */
  public TokenPair refresh(String refreshToken, String clientAddress) {
    Instant now = clock.instant();
    if (!OpaqueTokens.wellFormed(OpaqueTokens.REFRESH_PREFIX, refreshToken)) {
      throw invalidToken("malformed refresh token", clientAddress, "?");
    }
    String hash = OpaqueTokens.hash(refreshToken);
    Optional<RefreshToken> found = state.findRefreshToken(hash);
    if (found.isEmpty()) {
      throw invalidToken("unknown refresh token", clientAddress, "?");
    }
    RefreshToken t = found.get();
    if (t.revokedAt() != null) {
      throw invalidToken("revoked refresh token", clientAddress, t.username());
    }
    if (t.usedAt() != null || !state.markRefreshTokenUsed(hash, now)) {
      int revoked = state.revokeRefreshTokenFamily(t.familyId(), now);
      record(t.username(), "token.reuse", t.username(), false, clientAddress,
          "a used refresh token was presented again; its family (" + revoked + " tokens) was revoked");
      LOG.warn("refresh token of user '{}' used twice (from {}): its session was revoked", t.username(),
          printable(clientAddress));
      throw new AuthenticationException(AuthenticationException.Reason.TOKEN_REUSED,
          "refresh token already used; the session was ended, log in again", null);
    }
    if (!now.isBefore(t.expiresAt())) {
      throw invalidToken("expired refresh token", clientAddress, t.username());
    }
    Optional<UserAccount> user = users.find(t.username()).filter(UserAccount::enabled);
    if (user.isEmpty()) {
      state.revokeRefreshTokenFamily(t.familyId(), now);
      throw invalidToken("user deleted or disabled", clientAddress, t.username());
    }
    return issuePair(user.get(), t.familyId(), now);
  }

  /**
   * Ends the session of a refresh token: revokes its whole family. Access tokens already issued
   * stay valid until they expire ({@link LocalAuthSettings#accessTokenTtl()}).
   *
   * @param refreshToken the refresh token; null or malformed is not known
   * @param clientAddress where the request came from (for the audit log), or null
   * @return whether the token was known
   */
  public boolean logout(String refreshToken, String clientAddress) {
    if (!OpaqueTokens.wellFormed(OpaqueTokens.REFRESH_PREFIX, refreshToken)) {
      return false;
    }
    Optional<RefreshToken> t = state.findRefreshToken(OpaqueTokens.hash(refreshToken));
    if (t.isEmpty()) {
      return false;
    }
    state.revokeRefreshTokenFamily(t.get().familyId(), clock.instant());
    record(t.get().username(), "logout", t.get().username(), true, clientAddress, null);
    return true;
  }

  /**
   * Ends every session of a user (revokes all their refresh tokens).
   *
   * @param actor who does it, for the audit log
   * @param username whose sessions
   * @return how many tokens were revoked
   */
  public int logoutEverywhere(Actor actor, String username) {
    int n = state.revokeRefreshTokensOf(username, clock.instant());
    record(actor, "user.logout-everywhere", username, true, n + " refresh tokens revoked");
    return n;
  }

  /**
   * Deletes refresh tokens that expired (housekeeping; call it now and then, e.g. daily). Used and
   * revoked tokens are kept until they expire, so that reuse is still recognised.
   *
   * @return how many were deleted
   */
  public int purgeExpiredRefreshTokens() {
    return state.purgeRefreshTokens(clock.instant());
  }

  private TokenPair issuePair(UserAccount user, String family, Instant now) {
    AccessTokens.Issued access = accessTokens.issue(user.username(), user.roles(), family);
    String refresh = OpaqueTokens.newToken(OpaqueTokens.REFRESH_PREFIX);
    Instant refreshExpires = now.plus(settings.refreshTokenTtl());
    state.saveRefreshToken(new RefreshToken(OpaqueTokens.hash(refresh), family, user.username(), now,
        refreshExpires, null, null));
    return new TokenPair(access.token(), access.expiresAt(), refresh, refreshExpires);
  }

  private AuthenticationException invalidToken(String why, String clientAddress, String user) {
    record(user, "token.refresh", user, false, clientAddress, why);
    return new AuthenticationException(AuthenticationException.Reason.INVALID_TOKEN,
        "invalid or expired refresh token; log in again", null);
  }

  // --- verifying credentials ---------------------------------------------------------------

  /**
   * Validates a local access token: signature (ES256 by a known {@code kid}), {@code iss}, {@code
   * aud}, {@code exp}, {@code nbf}, {@code iat}, size; and that the user still exists and is
   * enabled. A rejection's reason never contains the token.
   *
   * @param token the JWT, or null
   * @return success with the user as principal, or a rejection saying why
   */
  public AuthResult verifyAccessToken(String token) {
    AccessTokens.Outcome o = accessTokens.validate(token);
    if (o.rejection() != null) {
      return AuthResult.rejected(o.rejection());
    }
    AccessTokens.Claims c = o.claims();
    Optional<UserAccount> user = users.find(c.subject());
    if (user.isEmpty() || !user.get().enabled()) {
      return AuthResult.rejected("user deleted or disabled");
    }
    return AuthResult.authenticated(new Principal(c.subject(), c.roles(), Map.of("auth", "local-jwt")));
  }

  /**
   * Validates an API key: its format and checksum, then its hash in the store, revocation, expiry
   * and (when the owner is a local user) that the owner is enabled. Records the last use.
   *
   * @param key the API key, or null
   * @return success with the owner as principal and the key's roles, or a rejection saying why
   */
  public AuthResult verifyApiKey(String key) {
    if (!OpaqueTokens.wellFormed(OpaqueTokens.API_KEY_PREFIX, key)) {
      return AuthResult.rejected("malformed API key");
    }
    Optional<ApiKey> found = users.findApiKeyByHash(OpaqueTokens.hash(key));
    if (found.isEmpty()) {
      return AuthResult.rejected("unknown API key");
    }
    ApiKey k = found.get();
    Instant now = clock.instant();
    if (k.revoked()) {
      return AuthResult.rejected("API key " + k.id() + " was revoked");
    }
    if (k.expiresAt() != null && !now.isBefore(k.expiresAt())) {
      return AuthResult.rejected("API key " + k.id() + " expired");
    }
    Optional<UserAccount> owner = users.find(k.owner());
    if (owner.isPresent() && !owner.get().enabled()) {
      return AuthResult.rejected("the owner of API key " + k.id() + " is disabled");
    }
    if (k.lastUsedAt() == null || !k.lastUsedAt().plus(LAST_USE_PRECISION).isAfter(now)) {
      users.recordApiKeyUse(k.id(), now);
    }
    return AuthResult.authenticated(new Principal(k.owner(), k.roles(),
        Map.of("auth", "api-key", "apiKeyId", k.id(), "apiKeyName", k.name())));
  }

  /**
   * Authenticates requests with an API key: header {@code X-API-Key: sluice_ak_...} or {@code
   * Authorization: Bearer sluice_ak_...}. Not applicable to requests with neither; any value in
   * {@code X-API-Key} that is not a valid key is rejected.
   *
   * @return the authenticator, backed by this instance
   */
  public Authenticator apiKeyAuthenticator() {
    return new Authenticator() {
      @Override
      public AuthResult authenticate(AuthRequest request) {
        Optional<String> header = request.header("X-API-Key");
        Optional<String> bearer = request.bearerToken().filter(t -> t.startsWith(OpaqueTokens.API_KEY_PREFIX));
        if (header.isEmpty() && bearer.isEmpty()) {
          return AuthResult.notApplicable();
        }
        AuthResult r = verifyApiKey(header.orElseGet(bearer::get).strip());
        logRejection("API key", r, request);
        return r;
      }

      @Override
      public String toString() {
        return "ApiKeyAuthenticator";
      }
    };
  }

  /**
   * Authenticates requests with a local access token ({@code Authorization: Bearer <jwt>}). It
   * recognises a bearer JWT whose (unverified) {@code iss} is this installation's issuer, and any
   * other {@code sluice_...} bearer token (a refresh token sent by mistake: rejected); such a
   * token is then accepted or rejected here, never passed on. Other bearer tokens (a JWT of
   * another issuer, an opaque token an OIDC provider may introspect) are not applicable, for the
   * next authenticator (e.g. Keycloak) to judge; an {@link AuthenticatorChain} rejects what none
   * recognises.
   *
   * @return the authenticator, backed by this instance
   */
  public Authenticator accessTokenAuthenticator() {
    return new Authenticator() {
      @Override
      public AuthResult authenticate(AuthRequest request) {
        Optional<String> bearer = request.bearerToken().filter(t -> !t.startsWith(OpaqueTokens.API_KEY_PREFIX));
        if (bearer.isEmpty()) {
          return AuthResult.notApplicable();
        }
        String token = bearer.get();
        AuthResult r;
        if (token.startsWith("sluice_")) {
          r = AuthResult.rejected("not an access token (a refresh token is exchanged at the refresh endpoint)");
        } else if (token.length() > settings.maxTokenLength()) {
          r = AuthResult.rejected("token longer than " + settings.maxTokenLength() + " characters");
        } else if (!accessTokens.claimsOurIssuer(token)) {
          return AuthResult.notApplicable();
        } else {
          r = verifyAccessToken(token);
        }
        logRejection("local access token", r, request);
        return r;
      }

      @Override
      public String toString() {
        return "LocalAccessTokenAuthenticator";
      }
    };
  }

  /**
   * {@link #apiKeyAuthenticator()}, then {@link #accessTokenAuthenticator()}.
   *
   * @return the chain of both
   */
  public AuthenticatorChain authenticator() {
    return AuthenticatorChain.of(apiKeyAuthenticator(), accessTokenAuthenticator());
  }

  private static void logRejection(String what, AuthResult r, AuthRequest request) {
    if (r.status() == AuthResult.Status.REJECTED) {
      LOG.info("authentication rejected: {} on {} {}: {}", what, request.method(),
          AuthenticatorChain.safePath(request.path()), r.reason().orElse(""));
    }
  }

  /**
   * The JWKS document (RFC 7517) of the keys that verify local access tokens.
   *
   * @return the document as JSON text; public keys only
   */
  public String jwks() {
    return keys.jwks();
  }

  /**
   * Starts signing with a new key now; tokens signed by the old one stay valid until they expire.
   *
   * @param actor who does it, for the audit log
   */
  public void rotateSigningKey(Actor actor) {
    String kid = keys.rotate().kid();
    record(actor, "signing-key.rotate", kid, true, null);
  }

  // --- users --------------------------------------------------------------------------------

  /**
   * Creates a user. The password is checked against the policy and not cleared.
   *
   * @param actor who does it, for the audit log
   * @param username the new user's name
   * @param password the password, never null
   * @param roles the user's roles, each built-in or stored; never null
   * @return the new user
   * @throws PasswordPolicyException when the password breaks the policy
   * @throws IllegalArgumentException when the name is invalid, a role is unknown, or the user exists
   */
  public UserInfo createUser(Actor actor, String username, char[] password, Set<String> roles) {
    checkUsername(username);
    checkRoles(roles);
    policy.check(username, password);
    if (users.find(username).isPresent()) {
      throw new IllegalArgumentException("user '" + username + "' exists already");
    }
    UserAccount a = new UserAccount(username, hasher.hash(password), roles, true, clock.instant());
    users.save(a);
    record(actor, "user.create", username, true, "roles " + new TreeSet<>(roles));
    return UserInfo.of(a, null);
  }

  /**
   * Sets a user's password (an admin's reset); ends the user's sessions. Not cleared.
   *
   * @param actor who does it, for the audit log
   * @param username whose password
   * @param password the new password, never null
   * @throws PasswordPolicyException when the password breaks the policy
   * @throws IllegalArgumentException when there is no such user
   */
  public void setPassword(Actor actor, String username, char[] password) {
    UserAccount a = existing(username);
    policy.check(username, password);
    users.save(new UserAccount(a.username(), hasher.hash(password), a.roles(), a.enabled(), a.createdAt()));
    state.revokeRefreshTokensOf(username, clock.instant());
    record(actor, "user.password", username, true, "password set; sessions ended");
  }

  /**
   * A user changes their own password, proving the current one. Ends their other sessions.
   *
   * @param username the user
   * @param current the current password, never null
   * @param next the new password, never null
   * @param clientAddress where the request came from (counted for throttling), or null
   * @throws AuthenticationException when the current password is wrong (counts as a failed login)
   * @throws PasswordPolicyException when the new password breaks the policy
   */
  public void changePassword(String username, char[] current, char[] next, String clientAddress) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(next, "next");
    username = username == null ? "" : username;
    Instant now = clock.instant();
    Optional<Instant> locked = lockedUntil(username, clientAddress, now);
    if (locked.isPresent()) {
      throw new AuthenticationException(AuthenticationException.Reason.LOCKED_OUT,
          "too many failed logins; try again later", locked.get());
    }
    Optional<UserAccount> a = username.isEmpty() || username.length() > 200 ? Optional.empty()
        : users.find(username).filter(UserAccount::enabled);
    boolean ok = a.isPresent() ? hasher.verify(current, a.get().passwordHash()).matches() : hasher.verifyNothing(current);
    if (!ok) {
      countFailure(username, clientAddress, now);
      record(username, "user.password", username, false, clientAddress, "wrong current password");
      throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS,
          "invalid user name or password", null);
    }
    policy.check(username, next);
    UserAccount u = a.get();
    users.save(new UserAccount(u.username(), hasher.hash(next), u.roles(), u.enabled(), u.createdAt()));
    state.revokeRefreshTokensOf(username, now);
    record(username, "user.password", username, true, clientAddress, "own password changed; sessions ended");
  }

  /**
   * Enables or disables a user; disabling ends their sessions and stops their API keys.
   *
   * @param actor who does it, for the audit log
   * @param username the user
   * @param enabled whether the user may log in
   * @throws IllegalArgumentException when there is no such user
   */
  public void setEnabled(Actor actor, String username, boolean enabled) {
    UserAccount a = existing(username);
    users.save(new UserAccount(a.username(), a.passwordHash(), a.roles(), enabled, a.createdAt()));
    if (!enabled) {
      state.revokeRefreshTokensOf(username, clock.instant());
    }
    record(actor, enabled ? "user.enable" : "user.disable", username, true, null);
  }

  /**
   * Replaces a user's roles (effective at their next login or refresh).
   *
   * @param actor who does it, for the audit log
   * @param username the user
   * @param roles the new roles, each built-in or stored; never null
   * @throws IllegalArgumentException when there is no such user or a role is unknown
   */
  public void setRoles(Actor actor, String username, Set<String> roles) {
    checkRoles(roles);
    UserAccount a = existing(username);
    users.save(new UserAccount(a.username(), a.passwordHash(), roles, a.enabled(), a.createdAt()));
    record(actor, "user.roles", username, true, "roles " + new TreeSet<>(a.roles()) + " -> " + new TreeSet<>(roles));
  }

  /**
   * Deletes a user, their API keys and sessions.
   *
   * @param actor who does it, for the audit log
   * @param username the user
   * @return whether the user existed
   */
  public boolean deleteUser(Actor actor, String username) {
    state.revokeRefreshTokensOf(username, clock.instant());
    boolean existed = users.delete(username);
    record(actor, "user.delete", username, existed, existed ? null : "no such user");
    return existed;
  }

  /**
   * All users, by name.
   *
   * @return every user, with any current lock
   */
  public List<UserInfo> users() {
    Instant now = clock.instant();
    return users.list().stream().map(a -> UserInfo.of(a, userLock(a.username(), now))).toList();
  }

  /**
   * One user.
   *
   * @param username the name
   * @return the user with any current lock, or empty when there is none
   */
  public Optional<UserInfo> user(String username) {
    Instant now = clock.instant();
    return users.find(username).map(a -> UserInfo.of(a, userLock(a.username(), now)));
  }

  private UserAccount existing(String username) {
    return users.find(username).orElseThrow(() -> new IllegalArgumentException("no user named '" + username + "'"));
  }

  private static void checkUsername(String username) {
    if (username == null || !username.matches("[A-Za-z0-9][A-Za-z0-9_.@+-]{0,199}")) {
      throw new IllegalArgumentException("a user name is 1-200 letters, digits, '_', '.', '@', '+' or '-',"
          + " starting with a letter or digit; got '" + printable(username) + "'");
    }
  }

  private void checkRoles(Set<String> roles) {
    Objects.requireNonNull(roles, "roles");
    List<String> unknown = roles.stream().filter(r -> accessPolicy.role(r).isEmpty()).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown role" + (unknown.size() == 1 ? " " : "s ") + unknown
          + "; known roles: " + roles().stream().map(RoleDefinition::name).toList());
    }
  }

  // --- API keys -----------------------------------------------------------------------------

  /**
   * Creates an API key; {@link CreatedApiKey#key()} is the only copy of the key.
   *
   * @param actor who does it, for the audit log
   * @param owner who the key acts for (a local user, or any name of a machine client)
   * @param name what the key is for
   * @param roles the roles it grants, each built-in or stored
   * @param expiresAt null for a key that never expires
   * @return the key's description and the key itself
   * @throws IllegalArgumentException when a role is unknown, the name is empty or the expiry past
   */
  public CreatedApiKey createApiKey(Actor actor, String owner, String name, Set<String> roles, Instant expiresAt) {
    checkUsername(owner);
    if (name == null || name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("an API key needs a name of 1-200 characters saying what it is for");
    }
    checkRoles(roles);
    Instant now = clock.instant();
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      throw new IllegalArgumentException("the expiry " + expiresAt + " of API key '" + name + "' is not in the future");
    }
    String key = OpaqueTokens.newToken(OpaqueTokens.API_KEY_PREFIX);
    ApiKey stored = new ApiKey(OpaqueTokens.randomId("ak_", 12), name, owner, OpaqueTokens.hash(key), roles, now,
        expiresAt, false, null);
    users.saveApiKey(stored);
    record(actor, "api-key.create", stored.id(), true, "owner " + owner + ", roles " + new TreeSet<>(roles)
        + (expiresAt == null ? "" : ", expires " + expiresAt));
    return new CreatedApiKey(ApiKeyInfo.of(stored), key);
  }

  /**
   * Keys of one owner, or all, by creation time.
   *
   * @param owner the owner, or null for every key
   * @return the keys, never with key or hash
   */
  public List<ApiKeyInfo> apiKeys(String owner) {
    return users.listApiKeys(owner).stream().map(ApiKeyInfo::of).toList();
  }

  /**
   * Revokes an API key; it no longer authenticates requests.
   *
   * @param actor who does it, for the audit log
   * @param id the key id, as in {@link ApiKeyInfo#id()}
   * @return whether a key with this id existed and was not revoked before
   */
  public boolean revokeApiKey(Actor actor, String id) {
    Optional<ApiKey> k = users.findApiKey(id);
    if (k.isEmpty() || k.get().revoked()) {
      record(actor, "api-key.revoke", id, false, k.isEmpty() ? "no such key" : "already revoked");
      return false;
    }
    users.saveApiKey(k.get().revokedKey());
    record(actor, "api-key.revoke", id, true, "owner " + k.get().owner());
    return true;
  }

  // --- roles --------------------------------------------------------------------------------

  /**
   * Built-in roles, then custom roles by name; stored roles that do not parse are skipped (and
   * logged).
   *
   * @return the roles
   */
  public List<RoleDefinition> roles() {
    List<RoleDefinition> out = new ArrayList<>();
    for (String r : List.of(BuiltInRoles.VIEWER, BuiltInRoles.OPERATOR, BuiltInRoles.ADMIN)) {
      out.add(RoleDefinition.builtIn(r));
    }
    if (roleStore != null) {
      for (var rec : roleStore.listRoles()) {
        try {
          out.add(RoleDefinition.fromRecord(rec));
        } catch (IllegalArgumentException e) {
          LOG.warn("stored role '{}' is skipped: {}", rec.name(), e.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * A role by name: built-in, or custom from the store.
   *
   * @param name the role name
   * @return the definition, or empty when there is no such role
   * @throws IllegalArgumentException when the stored role does not parse
   */
  public Optional<RoleDefinition> role(String name) {
    return accessPolicy.role(name);
  }

  /**
   * Creates or replaces a custom role.
   *
   * @param actor who does it, for the audit log
   * @param role the custom role, never null
   * @throws IllegalArgumentException when it is built-in
   * @throws MissingStoreCapabilityException when the store keeps no roles
   */
  public void saveRole(Actor actor, RoleDefinition role) {
    if (role.builtIn() || BuiltInRoles.all().containsKey(role.name())) {
      throw new IllegalArgumentException("'" + role.name() + "' is a built-in role and can't be changed");
    }
    requireRoles().saveRole(role.toRecord(clock.instant()));
    record(actor, "role.save", role.name(), true, "grants " + role.grants().stream().map(Object::toString).sorted().toList());
  }

  /**
   * Deletes a custom role.
   *
   * @param actor who does it, for the audit log
   * @param name the role name
   * @return whether the custom role existed
   * @throws IllegalArgumentException when it is a built-in role
   * @throws MissingStoreCapabilityException when the store keeps no roles
   */
  public boolean deleteRole(Actor actor, String name) {
    if (BuiltInRoles.all().containsKey(name)) {
      throw new IllegalArgumentException("'" + name + "' is a built-in role and can't be deleted");
    }
    boolean existed = requireRoles().deleteRole(name);
    record(actor, "role.delete", name, existed, existed ? null : "no such role");
    return existed;
  }

  private RoleStore requireRoles() {
    if (roleStore == null) {
      throw new IllegalStateException("the store keeps no custom roles; use a store that does, e.g. the jdbc store");
    }
    return roleStore;
  }

  // --- throttling ---------------------------------------------------------------------------

  /**
   * Counts of failed logins (subjects {@code user:<name>} and {@code address:<ip>}), locked or not.
   *
   * @return every count, by subject
   */
  public List<LoginFailures> lockouts() {
    return state.listLoginFailures();
  }

  /**
   * Lifts a lock and forgets the failures of a subject: {@code user:<name>}, {@code
   * address:<ip>}, or a plain user name.
   *
   * @param actor who does it, for the audit log
   * @param subject what to unlock, never null
   * @return whether there was anything to clear
   */
  public boolean unlock(Actor actor, String subject) {
    String s = subject.startsWith("user:") || subject.startsWith("address:") ? subject : userSubject(subject);
    boolean cleared = state.clearLoginFailures(s);
    record(actor, "lockout.clear", s, cleared, cleared ? null : "nothing to clear");
    return cleared;
  }

  private Optional<Instant> lockedUntil(String username, String address, Instant now) {
    Instant a = state.loginFailures(userSubject(username)).filter(f -> f.lockedAt(now)).map(LoginFailures::lockedUntil)
        .orElse(null);
    Instant b = address == null ? null : state.loginFailures(addressSubject(address)).filter(f -> f.lockedAt(now))
        .map(LoginFailures::lockedUntil).orElse(null);
    if (a == null) {
      return Optional.ofNullable(b);
    }
    return Optional.of(b == null || a.isAfter(b) ? a : b);
  }

  private Instant userLock(String username, Instant now) {
    return state.loginFailures(userSubject(username)).filter(f -> f.lockedAt(now)).map(LoginFailures::lockedUntil)
        .orElse(null);
  }

  /** Counts a failure of the user and the address; returns the lock when one begins now. */
  private Optional<Instant> countFailure(String username, String address, Instant now) {
    synchronized (throttleLock) {
      Instant u = count(userSubject(username), settings.maxFailuresPerUser(), now);
      Instant a = address == null ? null : count(addressSubject(address), settings.maxFailuresPerAddress(), now);
      if (u != null || a != null) {
        LOG.warn("login locked after repeated failures: {}{}", u != null ? "user '" + printable(username) + "' " : "",
            a != null ? "address " + printable(address) : "");
      }
      return u == null ? Optional.ofNullable(a) : Optional.of(a == null || u.isAfter(a) ? u : a);
    }
  }

  private Instant count(String subject, int max, Instant now) {
    Optional<LoginFailures> prior = state.loginFailures(subject);
    LoginFailures next;
    if (prior.isEmpty() || !prior.get().firstFailureAt().plus(settings.failureWindow()).isAfter(now)) {
      next = new LoginFailures(subject, 1, now, null);
    } else {
      next = new LoginFailures(subject, prior.get().failures() + 1, prior.get().firstFailureAt(),
          prior.get().lockedUntil());
    }
    Instant lockNow = null;
    if (next.failures() >= max && !next.lockedAt(now)) {
      lockNow = now.plus(settings.lockoutDuration());
      next = new LoginFailures(subject, next.failures(), next.firstFailureAt(), lockNow);
    }
    state.saveLoginFailures(next);
    return lockNow;
  }

  private static String userSubject(String username) {
    String u = username == null ? "" : username.toLowerCase(Locale.ROOT);
    return "user:" + (u.length() > 200 ? u.substring(0, 200) : u);
  }

  private static String addressSubject(String address) {
    return "address:" + (address.length() > 100 ? address.substring(0, 100) : address);
  }

  // --- audit --------------------------------------------------------------------------------

  /**
   * Appends an event to the audit log (when the store keeps one), e.g. for secret changes made
   * elsewhere: {@code audit(actor, "secret.set", "hubspot_token", true, null)}. Never pass secret
   * values.
   *
   * @param actor who did it
   * @param action what was done, e.g. {@code secret.set}
   * @param target what it was done to, or null
   * @param success whether it succeeded
   * @param detail a short explanation, or null; never secret material
   */
  public void audit(Actor actor, String action, String target, boolean success, String detail) {
    record(actor, action, target, success, detail);
  }

  /**
   * Audit events below {@code beforeId}, newest first (see {@link AuditLog#list}); empty when the
   * store keeps no audit log.
   *
   * @param beforeId only ids below this; {@code Long.MAX_VALUE} for the newest
   * @param limit at most this many, at least 1
   * @return the events
   */
  public List<AuditEvent> auditEvents(long beforeId, int limit) {
    return audit == null ? List.of() : audit.list(beforeId, limit);
  }

  private void record(Actor actor, String action, String target, boolean success, String detail) {
    record(actor.name(), action, target, success, actor.clientAddress(), detail);
  }

  private void record(String actor, String action, String target, boolean success, String address, String detail) {
    if (audit == null) {
      return;
    }
    try {
      audit.append(AuditEvent.of(clock.instant(), printable(actor), action, target == null ? null : printable(target),
          success, address == null ? null : printable(address), detail));
    } catch (RuntimeException e) {
      LOG.warn("could not write the audit event {} on {}: {}", action, printable(target), e.getMessage());
    }
  }

  /** Names and addresses as given by clients, without control characters, for logs and the audit log. */
  static String printable(String s) {
    if (s == null) {
      return "-";
    }
    String p = s.length() > 200 ? s.substring(0, 200) : s;
    return p.replaceAll("\\p{Cntrl}", "_");
  }

  @Override
  public String toString() {
    return "LocalAuth{issuer=" + settings.issuer() + "}";
  }

  /** For tests in this package: the key ring (to forge tokens with the real key). */
  SigningKeyRing signingKeyRing() {
    return keys;
  }
}
