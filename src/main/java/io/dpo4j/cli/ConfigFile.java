package io.dpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dpo4j.util.Files2;
import io.dpo4j.util.IoReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config run.yaml}: a YAML mapping from option names (without the dashes, e.g. {@code batch-size: 4}) to
 * values, used as the defaults of a command's options, so options given on the command line override the file. The
 * file is data: its values are option values, parsed by the option's own type, never interpreted further.
 * {@link #effective} writes the values a run used in the same form, so {@code --config <run>/config.yaml} reproduces it.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
    /** The option naming the file. */
    static final String OPTION = "--config";
    /** Name of the effective configuration written into a run directory. */
    static final String RUN_FILE = "config.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> NOT_CONFIGURABLE = List.of("config", "help", "version", "verbose");

    private final Path file;
    private final Map<String, String> values;
    private final Map<String, List<String>> lists;
    private boolean checked;

    private ConfigFile(Path file, Map<String, String> values, Map<String, List<String>> lists) {
        this.file = file;
        this.values = values;
        this.lists = lists;
    }

    /** @return the file named by {@code --config} in {@code args}, or null when there is none */
    static Path find(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith(OPTION + "=")) {
                return Path.of(args[i].substring(OPTION.length() + 1));
            }
        }
        return null;
    }

    /** Reads {@code file}: a YAML mapping of option names to scalars. */
    static ConfigFile read(Path file) {
        JsonNode root;
        try {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(OPTION + " " + file + ": expected a YAML file, found "
                        + (Files.exists(file) ? "no regular file" : "no such file"));
            }
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(OPTION + " " + file + ": not valid YAML (" + firstLine(e) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(OPTION + " " + file + ": expected a mapping of option names to values, "
                    + "found " + (root == null ? "an empty file" : root.getNodeType().toString().toLowerCase()));
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> lists = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull() || (v.isArray() && v.isEmpty())) {
                continue; // the option's own default (an empty list: a repeatable option not given)
            }
            if (v.isArray() && allScalars(v)) {
                List<String> items = new java.util.ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                lists.put(e.getKey(), List.copyOf(items));
                continue;
            }
            if (!v.isValueNode()) {
                throw new IllegalArgumentException(OPTION + " " + file + ": field '" + e.getKey() + "': expected a "
                        + "single value, found " + v.getNodeType().toString().toLowerCase());
            }
            values.put(e.getKey(), v.asText());
        }
        return new ConfigFile(file, values, lists);
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isValueNode() || item.isNull()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A list in the file ({@code judge: [a, b]}) is the value of a repeatable option: unless the command line gives
     * that option, its items are put on the command line after the command's name ({@code --judge a --judge b}), so
     * each item is one value whatever characters it holds (a default value would be a single string).
     *
     * @param root the root command line ({@code args[0]} or a later argument names the subcommand)
     * @return {@code args} with the file's list options added
     * @throws IllegalArgumentException for a list under a key that is not a repeatable option of the command
     */
    String[] withListOptions(CommandLine root, String[] args) {
        if (lists.isEmpty()) {
            return args;
        }
        int at = -1;
        CommandLine cmd = null;
        for (int i = 0; i < args.length && cmd == null; i++) {
            cmd = root.getSubcommands().get(args[i]);
            at = i;
        }
        if (cmd == null || cmd.getCommandSpec().findOption(OPTION) == null) {
            return args;
        }
        List<String> out = new java.util.ArrayList<>(List.of(args).subList(0, at + 1));
        for (Map.Entry<String, List<String>> e : lists.entrySet()) {
            OptionSpec opt = cmd.getCommandSpec().findOption("--" + e.getKey());
            if (opt == null || !opt.isMultiValue() || NOT_CONFIGURABLE.contains(e.getKey())) {
                throw new IllegalArgumentException(OPTION + " " + file + ": field '" + e.getKey()
                        + "': expected a single value (a list only for a repeatable option), found a list");
            }
            if (!given(opt, List.of(args).subList(at + 1, args.length))) {
                for (String item : e.getValue()) {
                    out.add(opt.longestName());
                    out.add(item);
                }
            }
        }
        out.addAll(List.of(args).subList(at + 1, args.length));
        return out.toArray(String[]::new);
    }

    private static boolean given(OptionSpec opt, List<String> args) {
        for (String a : args) {
            for (String name : opt.names()) {
                if (a.equals(name) || a.startsWith(name + "=")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec opt)) {
            return null;
        }
        CommandSpec cmd = opt.command();
        if (cmd == null || cmd.findOption(OPTION) == null) {
            return null; // only commands that take --config read it
        }
        requireKnownKeys(cmd);
        return values.get(key(opt)); // null: the option's own default
    }

    /** Every key must name an option of the command; the message lists the valid names. */
    private void requireKnownKeys(CommandSpec cmd) {
        if (checked) {
            return;
        }
        TreeSet<String> valid = new TreeSet<>();
        for (OptionSpec o : cmd.options()) {
            if (!NOT_CONFIGURABLE.contains(key(o))) {
                valid.add(key(o));
            }
        }
        for (String k : union(values.keySet(), lists.keySet())) {
            if (!valid.contains(k)) {
                throw new CommandLine.ParameterException(cmd.commandLine(), OPTION + " " + file + ": field '" + k
                        + "': expected one of the options of '" + cmd.name() + "' " + valid);
            }
        }
        checked = true;
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * @return every option value of the parsed command {@code cmd} as text (lists joined with line breaks), the
     *     options of {@link #NOT_CONFIGURABLE} left out: what identifies a run's settings
     */
    static Map<String, String> values(CommandSpec cmd) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OptionSpec o : cmd.options()) {
            Object v = o.getValue();
            if (v != null && !NOT_CONFIGURABLE.contains(key(o))) {
                out.put(key(o), v instanceof List<?> l ? String.join("\n", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v));
            }
        }
        return out;
    }

    /** @return every option value of the parsed command {@code cmd}, as {@code --config} reads it back */
    static String effective(CommandSpec cmd) {
        return effective(cmd, java.util.Set.of());
    }

    /**
     * @param omit option keys left out (their default applies when the file is read back)
     * @return every option value of the parsed command {@code cmd} but {@code omit}, as {@code --config} reads it back
     */
    static String effective(CommandSpec cmd, java.util.Set<String> omit) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (OptionSpec o : cmd.options()) {
            Object v = o.getValue();
            if (v != null && !NOT_CONFIGURABLE.contains(key(o)) && !omit.contains(key(o))) {
                out.put(key(o), v instanceof Path || v instanceof Enum<?> ? v.toString() : v);
            }
        }
        try {
            return "# dpo4j " + cmd.name() + ": the options of this run; rerun with --config <this file>\n"
                    + YAML.writeValueAsString(out).replaceFirst("^---\\s*\\n", "");
        } catch (IOException e) {
            throw new UncheckedIOException("writing the effective configuration: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code text} to {@code <runDir>/config.yaml} (temporary file + rename). When that file is the
     * {@code --config} input itself, it is left alone if it already says the same, and refused otherwise.
     */
    static void writeRunFile(Path runDir, String text, Path input) {
        Path target = runDir.resolve(RUN_FILE);
        try {
            if (input != null && Files.exists(target) && Files.isSameFile(target, input)) {
                if (!Files.readString(target).equals(text)) {
                    throw new IllegalArgumentException(OPTION + " " + input + " is this run's " + RUN_FILE
                            + " and the command line changes it; use another --output to keep the original");
                }
                return;
            }
            Files2.writeAtomically(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + ": " + IoReason.of(e), e);
        }
    }

    private static String key(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
