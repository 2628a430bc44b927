package dev.cluws.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.access.AccessPolicy.Decision;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleBasedAccessPolicyTest {
  private static final String RULES =
      "{\n"
          + "  \"anonymous_roles\": [\"viewer\"],\n"
          + "  \"roles\": {\n"
          + "    \"viewer\": {\"read_only\": true},\n"
          + "    \"operator\": {\"commands\": [\n"
          + "      {\"name\": \"lvm-all\", \"consumers\": [\"lvm*\"], \"verbs\": [\"*\"]},\n"
          + "      {\"consumers\": [\"*\"], \"verbs\": [\"status\", \"ping\"]}\n"
          + "    ]},\n"
          + "    \"ecp\": {\"commands\": [{\"consumers\": \"lvmecp\", \"verbs\": [\"dome*\"]}],\n"
          + "            \"replies\": [\"lvmecp\"]}\n"
          + "  }\n"
          + "}";

  private final RoleBasedAccessPolicy policy = RoleBasedAccessPolicy.parse(RULES);

  private static ClientIdentity user(String... roles) {
    return new ClientIdentity("alice", Set.of(roles), "127.0.0.1:5000");
  }

  private static Command command(String consumer, String commandString) {
    return new Command(consumer, commandString, "id-1");
  }

  private static Reply reply(String exchange, String sender) {
    return reply(exchange, sender, Origin.ACTOR);
  }

  private static Reply reply(String exchange, String sender, Origin origin) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.MESSAGE_CODE, ":");
    headers.put(Reply.SENDER, sender);
    return new Reply(
        headers,
        exchange,
        "reply.x",
        null,
        null,
        Instant.EPOCH,
        JsonMapper.builder().build().createObjectNode(),
        origin);
  }

  private Visibility visibility(ClientIdentity identity) {
    return Visibility.of(policy, identity);
  }

  @Test
  void aRuleAllowsMatchingConsumersAndVerbsAndIsNamedAfterItsRole() {
    assertThat(policy.decide(user("operator"), command("lvmecp", "dome open")))
        .isEqualTo(Decision.allow("operator:lvm-all"));
    assertThat(policy.decide(user("operator"), command("jaeger", "status --full")))
        .isEqualTo(Decision.allow("operator:2"));
  }

  @Test
  void aCommandNoRuleAllowsIsDeniedByDefault() {
    assertThat(policy.decide(user("operator"), command("jaeger", "shutdown")))
        .isEqualTo(Decision.deny(RoleBasedAccessPolicy.DEFAULT_DENY));
    assertThat(policy.decide(user("ecp"), command("lvmecp", "shutdown")).allowed()).isFalse();
    assertThat(policy.decide(user("ecp"), command("lvmecp", "  dome_close now")).allowed())
        .isTrue();
  }

  @Test
  void theVerbIsTheFirstWordOnlySoAnArgumentCannotSmuggleIt() {
    assertThat(policy.decide(user("operator"), command("jaeger", "shutdown status")).allowed())
        .isFalse();
    assertThat(RoleBasedAccessPolicy.verbOf("  status\t--full ")).isEqualTo("status");
  }

  @Test
  void aReadOnlyRoleIsDeniedNamingItsRule() {
    assertThat(policy.decide(user("viewer"), command("lvmecp", "status")))
        .isEqualTo(Decision.deny("viewer:read-only"));
  }

  @Test
  void rolesAddUp() {
    assertThat(policy.decide(user("viewer", "operator"), command("jaeger", "ping")).allowed())
        .isTrue();
  }

  @Test
  void unknownRolesGrantNothing() {
    assertThat(policy.decide(user("admin"), command("lvmecp", "status")))
        .isEqualTo(Decision.deny(RoleBasedAccessPolicy.DEFAULT_DENY));
    assertThat(visibility(user("admin")).allows(reply("sdss_exchange", "lvmecp"))).isFalse();
  }

  @Test
  void anAnonymousClientHasTheAnonymousRoles() {
    assertThat(policy.decide(ClientIdentity.anonymous("10.0.0.1:1"), command("lvmecp", "status")))
        .isEqualTo(Decision.deny("viewer:read-only"));
    assertThat(visibility(ClientIdentity.anonymous("10.0.0.1:1"))).isSameAs(Visibility.ALL);
  }

  @Test
  void anAuthenticatedClientDoesNotGetTheAnonymousRoles() {
    ClientIdentity noRoles = new ClientIdentity("bob", Set.of(), "127.0.0.1:1");
    assertThat(policy.decide(noRoles, command("lvmecp", "status")).rule())
        .isEqualTo(RoleBasedAccessPolicy.DEFAULT_DENY);
  }

  @Test
  void aRoleLimitedToOneActorSeesOnlyItsDataAndTheGatewaysOwnFrames() {
    Visibility ecp = visibility(user("ecp"));

    assertThat(ecp.allows(reply("sdss_exchange", "lvmecp"))).isTrue();
    assertThat(ecp.allows(reply("", "lvmecp", Origin.SNAPSHOT))).isTrue();
    assertThat(ecp.allows(reply("sdss_exchange", "jaeger"))).isFalse();
    assertThat(ecp.allows(reply("", "jaeger", Origin.SNAPSHOT))).isFalse();
    assertThat(ecp.allows(reply("", "clu-ws-gateway", Origin.GATEWAY_TO_ALL))).isTrue();
    assertThat(ecp.allows(reply("", "clu-ws-gateway", Origin.GATEWAY_TO_CLIENT))).isTrue();
  }

  @Test
  void aReplyFromTheBrokerThatClaimsToBeTheGatewaysIsHiddenFromALimitedRole() {
    Visibility ecp = visibility(user("ecp"));

    // Published to the default exchange straight to the gateway's queue, naming the gateway.
    assertThat(ecp.allows(reply("", "clu-ws-gateway"))).isFalse();
    assertThat(ecp.allows(reply("sdss_exchange", "clu-ws-gateway"))).isFalse();
  }

  @Test
  void aClientWithoutRolesSeesNoActorsDataButTheGatewaysOwnFrames() {
    Visibility none = visibility(new ClientIdentity("bob", Set.of(), "127.0.0.1:1"));

    assertThat(none.allows(reply("sdss_exchange", "lvmecp"))).isFalse();
    assertThat(none.allows(reply("", "lvmecp", Origin.SNAPSHOT))).isFalse();
    assertThat(none.allows(reply("", "clu-ws-gateway", Origin.GATEWAY_TO_CLIENT))).isTrue();
  }

  @Test
  void aRoleThatSeesEveryActorSeesEverything() {
    assertThat(visibility(user("ecp", "operator"))).isSameAs(Visibility.ALL);
  }

  @Test
  void aReplyWithoutSenderIsHiddenFromALimitedRole() {
    assertThat(visibility(user("ecp")).allows(reply("sdss_exchange", null))).isFalse();
  }

  @Test
  void mistakesInTheRulesAreNamed() {
    assertThatThrownBy(() -> RoleBasedAccessPolicy.parse("{\"roles\": {\"a\": {\"comands\": []}}}"))
        .hasMessageContaining("role 'a': unknown key \"comands\"");
    assertThatThrownBy(
            () ->
                RoleBasedAccessPolicy.parse(
                    "{\"roles\": {\"a\": {\"read_only\": true, \"commands\": [{\"consumers\":"
                        + " \"x\"}]}}}"))
        .hasMessageContaining("role 'a' is read-only and must not have command rules");
    assertThatThrownBy(
            () ->
                RoleBasedAccessPolicy.parse(
                    "{\"roles\": {\"a\": {\"commands\": [{\"verbs\": \"x\"}]}}}"))
        .hasMessageContaining("role 'a', command rule 1: \"consumers\" is missing");
    assertThatThrownBy(
            () -> RoleBasedAccessPolicy.parse("{\"roles\": {\"a\": {\"replies\": [\"\"]}}}"))
        .hasMessageContaining("must not contain empty names");
    assertThatThrownBy(() -> RoleBasedAccessPolicy.parse("{\"roles\": []}"))
        .hasMessageContaining("\"roles\" must be an object");
    assertThatThrownBy(() -> RoleBasedAccessPolicy.parse("{roles"))
        .hasMessageStartingWith("not valid JSON");
  }

  @Test
  void aFileIsLoadedAndAMissingOrBadFileIsNamed(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("permissions.json"), RULES);
    assertThat(RoleBasedAccessPolicy.load(file).roles())
        .containsOnlyKeys("viewer", "operator", "ecp");

    assertThatThrownBy(() -> RoleBasedAccessPolicy.load(dir.resolve("missing.json")))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("missing.json does not exist");
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"roles\": 1}");
    assertThatThrownBy(() -> RoleBasedAccessPolicy.load(bad))
        .isInstanceOf(CluWsException.class)
        .hasMessageStartingWith("invalid permissions file " + bad);
  }
}
