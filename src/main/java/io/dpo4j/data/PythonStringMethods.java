package io.dpo4j.data;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} methods for chat templates rendered by jinjava: {@code strip lstrip rstrip startswith endswith
 * split upper lower title capitalize replace}. Hugging Face templates call these on message contents
 * ({@code message['content'].strip()}); Java's {@code String} lacks most of them, so this resolver answers method
 * calls on strings before jinjava's default bean resolver.
 */
final class PythonStringMethods extends ELResolver {

    private static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "startswith", "endswith", "split",
            "upper", "lower", "title", "capitalize", "replace");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null || !METHODS.contains(method.toString())) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = apply(s, method.toString(), args);
        context.setPropertyResolved(true);
        return result;
    }

    static Object apply(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
            case "lstrip" -> lstrip(s, chars(args));
            case "rstrip" -> rstrip(s, chars(args));
            case "startswith" -> s.startsWith(arg(args, 0, method));
            case "endswith" -> s.endsWith(arg(args, 0, method));
            case "split" -> args.length == 0 || args[0] == null ? splitWhitespace(s) : splitOn(s, arg(args, 0, method));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> s.replace(arg(args, 0, method), arg(args, 1, method));
            default -> throw new IllegalArgumentException("unsupported string method " + method);
        };
    }

    /** Python's {@code str.isspace} for one char (Unicode whitespace including no-break spaces). */
    static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : args[0].toString();
    }

    private static String arg(Object[] args, int i, String method) {
        if (args.length <= i || args[i] == null) {
            throw new IllegalArgumentException("str." + method + ": expected argument " + (i + 1) + ", found none");
        }
        return args[i].toString();
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isPythonSpace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    private static List<String> splitWhitespace(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isPythonSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !isPythonSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    private static List<String> splitOn(String s, String sep) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("str.split: empty separator");
        }
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return b.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // not a property resolver
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
