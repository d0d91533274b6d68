// A command judge for CommandJudgeTest, run as a single-file Java program (`java ScriptedJudge.java`).
// Reads one JSON line per candidate and answers by what the completion says:
//   "hang" -> never answers; "crash" -> writes "boom" to stderr and exits 3; "garbage" -> answers "not json";
//   "error" -> {"error": "asked to fail"}; "inf" -> {"score": 1e999}; "flaky" -> an error the first time, a score after;
//   anything else -> {"score": <completion length in chars> + 0.5 * completion_tokens}.
// Every request is echoed to stderr as "got <n>" so tests can see the stderr tail.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class ScriptedJudge {
    private static final Pattern COMPLETION = Pattern.compile("\"completion\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TOKENS = Pattern.compile("\"completion_tokens\":(\\d+)");

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int n = 0;
        boolean flakyFailed = false;
        for (String line; (line = in.readLine()) != null; ) {
            n++;
            System.err.println("got " + n);
            Matcher c = COMPLETION.matcher(line);
            Matcher t = TOKENS.matcher(line);
            if (!c.find() || !t.find()) {
                System.out.println("{\"error\": \"bad request\"}");
                continue;
            }
            String completion = c.group(1).replace("\\\"", "\"").replace("\\\\", "\\"); // unescape \" and \\
            switch (completion) {
                case "hang" -> Thread.sleep(Long.MAX_VALUE);
                case "crash" -> {
                    System.err.println("boom");
                    System.exit(3);
                }
                case "garbage" -> System.out.println("not json");
                case "error" -> System.out.println("{\"error\": \"asked to fail\"}");
                case "inf" -> System.out.println("{\"score\": 1e999}");
                case "flaky" -> {
                    if (flakyFailed) {
                        System.out.println("{\"score\": 42}");
                    } else {
                        flakyFailed = true;
                        System.out.println("{\"error\": \"flaky first try\"}");
                    }
                }
                default -> System.out.println("{\"score\": " + (completion.length() + 0.5 * Integer.parseInt(t.group(1)))
                        + "}");
            }
            System.out.flush();
        }
    }
}
