package dev.cluws.core.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.Glob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Command permissions and reply visibility per role, denying by default: a client may send a
 * command only when a command rule of one of its roles allows the consumer and the verb (the first
 * word of the command string), and sees only the replies of the actors its roles list.
 *
 * <p>The rules are written in JSON (see {@code docs/security.md}):
 *
 * <pre>{@code
 * {
 *   "anonymous_roles": ["viewer"],
 *   "roles": {
 *     "viewer":   {"read_only": true},
 *     "operator": {"commands": [{"name": "lvm", "consumers": ["lvm*"], "verbs": ["*"]}]},
 *     "ecp":      {"commands": [{"consumers": ["lvmecp"], "verbs": ["status", "ping"]}],
 *                  "replies": ["lvmecp"]}
 *   }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>An authenticated client has the roles its token gives; a client that did not authenticate
 *       has the {@code anonymous_roles} (none when absent). Roles the file does not define grant
 *       nothing.
 *   <li>Roles add up: a command is allowed when any rule of any of the client's roles allows it.
 *       The allowing rule is named {@code <role>:<rule name>} (a rule's name defaults to its index,
 *       from 1). A denied command names {@code <role>:read-only} when the client has a read-only
 *       role, else {@value #DEFAULT_DENY}.
 *   <li>{@code consumers} and {@code verbs} are patterns in which {@code *} matches any run of
 *       characters, matched case-sensitively; {@code verbs} defaults to {@code ["*"]}.
 *   <li>{@code replies} lists the actors whose replies the role sees (patterns again) and defaults
 *       to {@code ["*"]}, every actor: their replies, live or replayed, and snapshots of them. A
 *       client without any defined role sees no actor's data. Frames the gateway itself makes
 *       (errors, acknowledgements, status) always pass; a reply from the broker never counts as
 *       one, whatever its headers or exchange say (see {@link Visibility}).
 * </ul>
 *
 * <p>Immutable, thread-safe and pure: no I/O after loading.
 */
public final class RoleBasedAccessPolicy implements AccessPolicy {
  /** The rule named when no rule allows a command. */
  public static final String DEFAULT_DENY = "default-deny";

  private static final Set<String> TOP_KEYS = Set.of("roles", "anonymous_roles");
  private static final Set<String> ROLE_KEYS = Set.of("commands", "replies", "read_only");
  private static final Set<String> RULE_KEYS = Set.of("name", "consumers", "verbs");

  private final Map<String, Role> roles;
  private final Set<String> anonymousRoles;
  private final Map<String, List<CompiledRule>> rules;

  /**
   * One role.
   *
   * @param name the role's name, as tokens carry it
   * @param commands the commands it may send (empty for a read-only role)
   * @param replies the actors whose replies it sees
   * @param readOnly whether it is declared read-only (it then has no command rules)
   */
  public record Role(
      String name, List<CommandRule> commands, List<String> replies, boolean readOnly) {
    public Role {
      Objects.requireNonNull(name, "name");
      commands = List.copyOf(commands);
      replies = List.copyOf(replies);
      if (readOnly && !commands.isEmpty()) {
        throw new IllegalArgumentException(
            "role '" + name + "' is read-only and must not have command rules");
      }
      replies.forEach(Glob::new); // validates
    }
  }

  /**
   * One command rule: the consumers and verbs it allows.
   *
   * @param name the rule's name (in denial messages and the audit log)
   * @param consumers consumer patterns
   * @param verbs verb patterns (the first word of the command string)
   */
  public record CommandRule(String name, List<String> consumers, List<String> verbs) {
    public CommandRule {
      Objects.requireNonNull(name, "name");
      consumers = List.copyOf(consumers);
      verbs = List.copyOf(verbs);
      if (consumers.isEmpty()) {
        throw new IllegalArgumentException("rule '" + name + "' must list at least one consumer");
      }
      if (verbs.isEmpty()) {
        throw new IllegalArgumentException("rule '" + name + "' must list at least one verb");
      }
    }
  }

  /** A command rule with its patterns compiled. */
  private record CompiledRule(String name, List<Glob> consumers, List<Glob> verbs) {
    static CompiledRule of(String role, CommandRule rule) {
      return new CompiledRule(
          role + ":" + rule.name(), globs(rule.consumers()), globs(rule.verbs()));
    }

    boolean allows(String consumer, String verb) {
      return anyMatches(consumers, consumer) && anyMatches(verbs, verb);
    }
  }

  private RoleBasedAccessPolicy(Map<String, Role> roles, Set<String> anonymousRoles) {
    this.roles = roles;
    this.anonymousRoles = anonymousRoles;
    Map<String, List<CompiledRule>> compiled = new LinkedHashMap<>();
    for (Role role : roles.values()) {
      List<CompiledRule> rules = new ArrayList<>();
      for (CommandRule rule : role.commands()) {
        rules.add(CompiledRule.of(role.name(), rule));
      }
      compiled.put(role.name(), List.copyOf(rules));
    }
    this.rules = compiled;
  }

  /**
   * A policy from roles (in the order given) and the roles of clients that did not authenticate.
   */
  public static RoleBasedAccessPolicy of(
      Collection<Role> roles, Collection<String> anonymousRoles) {
    Map<String, Role> byName = new LinkedHashMap<>();
    for (Role role : roles) {
      if (byName.put(role.name(), role) != null) {
        throw new IllegalArgumentException("role '" + role.name() + "' is defined twice");
      }
    }
    return new RoleBasedAccessPolicy(
        Collections.unmodifiableMap(byName),
        Collections.unmodifiableSet(new LinkedHashSet<>(anonymousRoles)));
  }

  /**
   * Reads the rules from a JSON file.
   *
   * @throws CluWsException naming the file and what is wrong with it
   */
  public static RoleBasedAccessPolicy load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CluWsException("permissions file " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException("cannot read permissions file " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new CluWsException("invalid permissions file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses the rules from JSON text.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static RoleBasedAccessPolicy parse(String json) {
    JsonNode root;
    try {
      root = JsonMapper.builder().build().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object with \"roles\"");
    }
    checkKeys(root, TOP_KEYS, "the top level");
    JsonNode rolesNode = root.path("roles");
    if (!rolesNode.isObject()) {
      throw new IllegalArgumentException("\"roles\" must be an object of role name to role");
    }
    List<Role> roles = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = rolesNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      roles.add(role(entry.getKey(), entry.getValue()));
    }
    List<String> anonymous = strings(root.get("anonymous_roles"), "\"anonymous_roles\"", List.of());
    return of(roles, anonymous);
  }

  private static Role role(String name, JsonNode node) {
    String where = "role '" + name + "'";
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " must be an object");
    }
    checkKeys(node, ROLE_KEYS, where);
    JsonNode readOnlyNode = node.get("read_only");
    if (readOnlyNode != null && !readOnlyNode.isBoolean()) {
      throw new IllegalArgumentException(where + ": \"read_only\" must be true or false");
    }
    boolean readOnly = readOnlyNode != null && readOnlyNode.booleanValue();
    List<CommandRule> rules = new ArrayList<>();
    JsonNode commands = node.get("commands");
    if (commands != null) {
      if (!commands.isArray()) {
        throw new IllegalArgumentException(where + ": \"commands\" must be an array of rules");
      }
      int index = 0;
      for (JsonNode rule : commands) {
        index++;
        String ruleWhere = where + ", command rule " + index;
        if (!rule.isObject()) {
          throw new IllegalArgumentException(ruleWhere + " must be an object");
        }
        checkKeys(rule, RULE_KEYS, ruleWhere);
        JsonNode ruleName = rule.get("name");
        if (ruleName != null && (!ruleName.isTextual() || ruleName.asText().isBlank())) {
          throw new IllegalArgumentException(ruleWhere + ": \"name\" must be a non-empty string");
        }
        if (rule.get("consumers") == null) {
          throw new IllegalArgumentException(ruleWhere + ": \"consumers\" is missing");
        }
        rules.add(
            new CommandRule(
                ruleName == null ? String.valueOf(index) : ruleName.asText(),
                strings(rule.get("consumers"), ruleWhere + ": \"consumers\"", null),
                strings(rule.get("verbs"), ruleWhere + ": \"verbs\"", List.of("*"))));
      }
    }
    if (readOnly && !rules.isEmpty()) {
      throw new IllegalArgumentException(where + " is read-only and must not have command rules");
    }
    List<String> replies = strings(node.get("replies"), where + ": \"replies\"", List.of("*"));
    return new Role(name, rules, replies, readOnly);
  }

  /** A string or an array of non-empty strings; {@code fallback} when absent. */
  private static List<String> strings(JsonNode node, String where, List<String> fallback) {
    if (node == null || node.isNull()) {
      return fallback;
    }
    List<String> values = new ArrayList<>();
    if (node.isTextual()) {
      values.add(node.asText());
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (!element.isTextual()) {
          throw new IllegalArgumentException(where + " must contain only strings");
        }
        values.add(element.asText());
      }
    } else {
      throw new IllegalArgumentException(where + " must be a string or an array of strings");
    }
    for (String value : values) {
      if (value.isBlank()) {
        throw new IllegalArgumentException(where + " must not contain empty names");
      }
    }
    return values;
  }

  private static void checkKeys(JsonNode node, Set<String> known, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw new IllegalArgumentException(
            where + ": unknown key \"" + key + "\" (expected one of " + new TreeSet<>(known) + ")");
      }
    }
  }

  /** The roles, by name, in the order they were defined. */
  public Map<String, Role> roles() {
    return roles;
  }

  /** The roles of a client that did not authenticate. */
  public Set<String> anonymousRoles() {
    return anonymousRoles;
  }

  @Override
  public Decision decide(ClientIdentity identity, Command command) {
    String verb = verbOf(command.commandString());
    String readOnly = null;
    for (Role role : rolesOf(identity)) {
      for (CompiledRule rule : rules.get(role.name())) {
        if (rule.allows(command.consumer(), verb)) {
          return Decision.allow(rule.name());
        }
      }
      if (role.readOnly() && readOnly == null) {
        readOnly = role.name() + ":read-only";
      }
    }
    return Decision.deny(readOnly != null ? readOnly : DEFAULT_DENY);
  }

  @Override
  public Predicate<String> visibleActors(ClientIdentity identity) {
    List<Glob> visible = new ArrayList<>();
    for (Role role : rolesOf(identity)) {
      for (String pattern : role.replies()) {
        Glob glob = new Glob(pattern);
        if (glob.matchesEverything()) {
          return null; // sees every actor
        }
        visible.add(glob);
      }
    }
    List<Glob> patterns = List.copyOf(visible);
    return actor -> actor != null && anyMatches(patterns, actor);
  }

  /** The defined roles the client has, in definition order. */
  private List<Role> rolesOf(ClientIdentity identity) {
    Set<String> names = identity.authenticated() ? identity.roles() : anonymousRoles;
    List<Role> result = new ArrayList<>(names.size());
    for (Role role : roles.values()) {
      if (names.contains(role.name())) {
        result.add(role);
      }
    }
    return result;
  }

  /** The first word of a command string ({@code ""} for a blank one). */
  static String verbOf(String commandString) {
    String stripped = commandString.strip();
    int end = 0;
    while (end < stripped.length() && !Character.isWhitespace(stripped.charAt(end))) {
      end++;
    }
    return stripped.substring(0, end);
  }

  private static List<Glob> globs(List<String> patterns) {
    List<Glob> globs = new ArrayList<>(patterns.size());
    for (String pattern : patterns) {
      globs.add(new Glob(pattern));
    }
    return List.copyOf(globs);
  }

  private static boolean anyMatches(List<Glob> globs, String name) {
    for (Glob glob : globs) {
      if (glob.matches(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "RoleBasedAccessPolicy[roles=" + roles.keySet() + ", anonymous=" + anonymousRoles + "]";
  }
}
