package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.runtime.SessionTuning;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** --cpu-arena / --mem-pattern / --spin-wait: on|off only, defaults equal SessionTuning's, and they reach the config. */
class RuntimeOptionsTest {
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        RuntimeOptions runtime;
    }

    private static RuntimeOptions parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.runtime;
    }

    @Test
    void defaultsAreSessionTuningDefaults() {
        assertThat(parse().sessionConfig(1).tuning()).isEqualTo(SessionTuning.defaults());
    }

    @Test
    void onAndOffReachTheSessionConfig() {
        assertThat(parse("--cpu-arena", "on", "--mem-pattern", "off", "--spin-wait", "on").sessionConfig(1).tuning())
                .isEqualTo(new SessionTuning(true, false, true));
        assertThat(parse("--cpu-arena", "off", "--mem-pattern", "on", "--spin-wait", "off").tuning())
                .isEqualTo(new SessionTuning(false, true, false));
    }

    @Test
    void anythingElseSaysExpectedAndFound() {
        assertThatThrownBy(() -> parse("--mem-pattern", "yes").tuning())
                .hasMessage("--mem-pattern: expected on or off, found 'yes'");
    }
}
