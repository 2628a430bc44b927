package dev.cluws.cli;

import com.google.inject.AbstractModule;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.jetty.SecuritySettings;

/**
 * Security: who may connect (origins, tokens, TLS: {@link SecuritySettings}, used by the server)
 * and what they may do ({@link AccessPolicy}, used by the gateway). Binds values read at start-up.
 */
final class SecurityModule extends AbstractModule {
  private final SecuritySettings securitySettings;
  private final AccessPolicy accessPolicy;

  SecurityModule(SecuritySettings securitySettings, AccessPolicy accessPolicy) {
    this.securitySettings = securitySettings;
    this.accessPolicy = accessPolicy;
  }

  @Override
  protected void configure() {
    bind(SecuritySettings.class).toInstance(securitySettings);
    bind(AccessPolicy.class).toInstance(accessPolicy);
  }
}
