package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every command's --help lists every option with its default and ends with examples. */
class HelpTest {
    @Test
    void everyOptionShowsItsDefaultAndHelpEndsWithExamples() {
        CommandLine root = Main.commandLine();
        List<CommandLine> commands = new java.util.ArrayList<>();
        collect(root, commands);
        assertThat(commands).extracting(CommandLine::getCommandName)
                .contains("dpo4j", "train", "eval", "export-inference", "bench", "data", "stats", "report");
        for (CommandLine cl : commands) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            if (cl.getCommandSpec().options().isEmpty() || cl.getCommandName().equals("help")) {
                continue;
            }
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                String desc = String.join(" ", o.description());
                boolean shown = o.required() || desc.contains("Default:") || desc.contains("default:")
                        || (cl.getCommandSpec().usageMessage().showDefaultValues() && o.defaultValue() != null);
                assertThat(shown).as("%s %s states its default: %s", cl.getCommandName(), o.longestName(), desc)
                        .isTrue();
            }
            if (!cl.getCommandName().equals("data")) {
                assertThat(help.strip()).as(cl.getCommandName()).contains("Examples:");
                assertThat(help.substring(help.lastIndexOf("Examples:"))).contains("dpo4j " + firstWord(cl));
            }
        }
    }

    private static String firstWord(CommandLine cl) {
        return switch (cl.getCommandName()) {
            case "dpo4j" -> "train";
            case "stats" -> "data stats";
            default -> cl.getCommandName();
        };
    }

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, out));
    }
}
