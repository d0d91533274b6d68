// A command judge for the iterate tests, run as a single-file Java program (`java LetterJudge.java [LOG]`).
// Scores each completion by the fraction of its characters that are the letter 'e' (deterministic, cheap, and a
// tiny random-weight model can learn to raise it). With a LOG argument, every request's completion is appended to
// that file, one line each, so tests can count what was judged.
import java.io.BufferedReader;
import java.io.FileWriter;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LetterJudge {
    private static final Pattern COMPLETION = Pattern.compile("\"completion\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Writer log = args.length > 0 ? new FileWriter(args[0], StandardCharsets.UTF_8, true) : null;
        for (String line; (line = in.readLine()) != null; ) {
            Matcher m = COMPLETION.matcher(line);
            if (!m.find()) {
                System.out.println("{\"error\": \"no completion in the request\"}");
                continue;
            }
            String text = unescape(m.group(1));
            if (log != null) {
                log.write(m.group(1) + "\n");
                log.flush();
            }
            long e = text.chars().filter(c -> c == 'e').count();
            System.out.println("{\"score\": " + (double) e / Math.max(1, text.length()) + "}");
            System.out.flush();
        }
    }

    /** JSON string escapes: \" \\ \/ \b \f \n \r \t and \\uXXXX. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(n);
            }
        }
        return out.toString();
    }
}
