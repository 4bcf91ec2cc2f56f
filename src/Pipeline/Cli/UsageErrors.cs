// Usage errors of the command line, as the user should see them (docs/cli.md, "Errors and exit codes"):
// one line each, the error first, then one hint line pointing at --help — never the whole help text.
//
// System.CommandLine binds a token it does not know ("--bem") to a command's positional argument when the
// argument takes more values (caption's INPUT...), so `caption photos --bem 1` would caption files named
// "--bem" and "1". Here such tokens are errors: a token that starts with '-' (and is not "-" itself, which
// means stdin/stdout, nor a number) bound to a command argument is an unrecognized option, unless it comes
// after "--". A file whose name starts with '-' is still reachable as ./-name or after "--".
// Misspellings get a suggestion from the command's own option names (edit distance with transpositions),
// and options that were renamed when the convention was set say their new name.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Cli;

/// <summary>Finds and words the usage errors of a parse.</summary>
internal static partial class UsageErrors
{
    /// <summary>Old option names (before docs/cli.md's convention) → their new names; the old ones still work, with a note.</summary>
    public static readonly IReadOnlyDictionary<string, string> Renamed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--learning-rate"] = "--lr",
        ["--min-freq"] = "--min-count",
        ["--min-word-frequency"] = "--min-count",
        ["--hidden"] = "--hidden-size",
        ["--dim"] = "--embedding-dim",
    };

    /// <summary>
    /// The usage errors of <paramref name="parse"/>, each one line, unknown options first (System.CommandLine's own
    /// errors after them, minus its duplicate "unrecognized" lines for the same tokens). Empty when the command line is fine.
    /// </summary>
    public static IReadOnlyList<string> Find(ParseResult parse)
    {
        var messages = new List<string>();
        var unknown = UnknownOptions(parse);
        foreach (var token in unknown)
            messages.Add($"unrecognized option '{token}'{Suggestion(parse.CommandResult.Command, token)}");
        // The word after an unknown option is most likely its value ("--modle M"): no second error for it.
        var values = parse.Tokens.Zip(parse.Tokens.Skip(1)).Where(p => unknown.Contains(p.First.Value) && p.Second.Type == TokenType.Argument).Select(p => p.Second.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var error in parse.Errors)
        {
            var message = Reword(error.Message);
            if (unknown.Concat(values).Any(t => message.Contains($"'{t}'", StringComparison.Ordinal))) continue;
            if (!messages.Contains(message)) messages.Add(message);
        }
        return messages;
    }

    /// <summary>
    /// <paramref name="args"/> with the old names of renamed options replaced by their new names, where the command being run
    /// has the new name and not the old one (null when nothing was renamed); <paramref name="notes"/> receives one line per rename.
    /// </summary>
    public static string[]? RenameOldOptions(ParseResult parse, string[] args, List<string> notes)
    {
        var names = AllOptionNames(parse.CommandResult.Command);
        string[]? renamed = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--") break;
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, "=" + v) : (args[i], "");
            if (!Renamed.TryGetValue(name, out var current) || names.Contains(name) || !names.Contains(current)) continue;
            renamed ??= (string[])args.Clone();
            renamed[i] = current + value;
            notes.Add($"'{name}' is now called '{current}'; the old name will stop working (docs/cli.md)");
        }
        return renamed;
    }

    /// <summary>The one-line hint printed after usage errors.</summary>
    public static string Hint(string commandPath) => $"Try '{commandPath} --help' for more information.";

    // Tokens that look like options but are bound to a positional argument or left unmatched (before any "--").
    private static List<string> UnknownOptions(ParseResult parse)
    {
        var positional = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (var command = parse.CommandResult; command is not null; command = command.Parent as CommandResult)
            foreach (var child in command.Children.OfType<ArgumentResult>())
                foreach (var token in child.Tokens) positional.Add(token);
        var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            if (token.Type != TokenType.Argument || !LooksLikeOption(token.Value)) continue;
            if ((positional.Contains(token) || unmatched.Contains(token.Value)) && !found.Contains(token.Value)) found.Add(token.Value);
        }
        return found;
    }

    private static bool LooksLikeOption(string value) =>
        value.Length > 1 && value[0] == '-' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>"; did you mean '--beam'?" for a near miss among <paramref name="command"/>'s options (its own and inherited), else "".</summary>
    public static string Suggestion(Command command, string token)
    {
        string name = token.Split('=', 2)[0];
        var best = AllOptionNames(command)
            .Select(n => (Name: n, Distance: Distance(name, n)))
            .Where(c => c.Distance <= Math.Max(1, (c.Name.Length - 2) / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();
        return best is null ? "" : $"; did you mean '{best}'?";
    }

    private static HashSet<string> AllOptionNames(Command command)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in command.Options) { names.Add(option.Name); foreach (var alias in option.Aliases) names.Add(alias); }
        // Recursive options of the parents (--verbose, --quiet, --threads) apply here too.
        foreach (var parent in Parents(command))
            foreach (var option in parent.Options.Where(o => o.Recursive)) { names.Add(option.Name); foreach (var alias in option.Aliases) names.Add(alias); }
        return names;
    }

    private static IEnumerable<Command> Parents(Command command)
    {
        foreach (var parent in command.Parents.OfType<Command>())
        {
            yield return parent;
            foreach (var grand in Parents(parent)) yield return grand;
        }
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions ("--modle").
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>System.CommandLine's messages in this CLI's words: one line, no .NET type names.</summary>
    public static string Reword(string message)
    {
        var cannotParse = CannotParse().Match(message);
        if (cannotParse.Success)
        {
            string value = cannotParse.Groups["value"].Value, option = cannotParse.Groups["option"].Value, type = cannotParse.Groups["type"].Value;
            string expected = type switch
            {
                "System.Int32" or "System.Int64" or "System.UInt64" or "System.Nullable`1[System.Int32]" => "a whole number",
                "System.Single" or "System.Double" or "System.Nullable`1[System.Single]" or "System.Nullable`1[System.Double]" => "a number",
                "System.Boolean" => "true or false",
                _ => "a valid value",
            };
            return $"{option}: '{value}' is not {expected}";
        }
        var notAmong = NotAmong().Match(message);
        if (notAmong.Success)
        {
            var choices = notAmong.Groups["choices"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.Trim('\''));
            return $"'{notAmong.Groups["value"].Value}' is not one of: {string.Join(", ", choices)}";
        }
        var text = message.Trim().TrimEnd('.');
        if (text.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)) text = "u" + text[1..];
        if (text.StartsWith("Option '", StringComparison.Ordinal) && text.EndsWith("' is required", StringComparison.Ordinal)) text = "missing required option " + text["Option ".Length..^" is required".Length];
        return string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<choices>.*)$", RegexOptions.Singleline)]
    private static partial Regex NotAmong();
}
