// Option factories that apply docs/cli.md's value conventions in one place: choices are lower-case words
// (`--on-error skip|fail`, `--format jsonl`), matched without regard to case, and listed in --help as
// <a|b|c>; list values may be given comma-separated or repeated (`--neighbours good,bad` or
// `--neighbours good --neighbours bad`).
using System.CommandLine;
using System.Text;

namespace Pipeline.Cli;

/// <summary>Builds options that follow the CLI's value conventions.</summary>
internal static class CliOptions
{
    /// <summary>
    /// An enum-valued option whose values are the members' lower-case kebab names (<c>JsonLines</c> → <c>json-lines</c>) or the
    /// names in <paramref name="names"/>; the member name without hyphens is accepted too (<c>jsonlines</c>, <c>Fail</c>).
    /// </summary>
    public static ChoiceOption<T> Choice<T>(string name, string description, T defaultValue, IReadOnlyDictionary<T, string>? names = null) where T : struct, Enum =>
        new(name, description, defaultValue, names);

    /// <summary>A string option limited to <paramref name="choices"/> (lower-case), matched without regard to case.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = string.Join('|', choices),
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                var match = choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (match is null) result.AddError($"{name}: '{text}' is not one of: {string.Join(", ", choices)}");
                return match ?? defaultValue;
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>A list option: values may be repeated (<c>--x a --x b</c>), space-separated (<c>--x a b</c>) or comma-separated (<c>--x a,b</c>).</summary>
    public static Option<string[]> List(string name, string description) => new(name)
    {
        Description = description + " Comma-separated or repeated.",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray(),
    };

    /// <summary>A list of whole numbers, given like <see cref="List"/> (<c>--widths 3,4,5</c> or <c>--widths 3 4 5</c>).</summary>
    public static Option<int[]> IntList(string name, string description) => new(name)
    {
        Description = description + " Comma-separated or repeated.",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result =>
        {
            var values = new List<int>();
            foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)) values.Add(value);
                else result.AddError($"{name}: '{part}' is not a whole number");
            }
            return values.ToArray();
        },
    };

    /// <summary>"JsonLines" → "json-lines".</summary>
    public static string Kebab(string pascal)
    {
        var text = new StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]) && !char.IsUpper(pascal[i - 1])) text.Append('-');
            text.Append(char.ToLowerInvariant(pascal[i]));
        }
        return text.ToString();
    }
}

/// <summary>
/// An option with a fixed set of lower-case values standing for the members of <typeparamref name="T"/>. Its default is applied
/// by <see cref="Get"/> rather than by System.CommandLine, so --help shows it as typed ("[default: skip]"), not as the enum
/// member prints ("Skip").
/// </summary>
internal sealed class ChoiceOption<T> : Option<T?> where T : struct, Enum
{
    public ChoiceOption(string name, string description, T defaultValue, IReadOnlyDictionary<T, string>? names) : base(name)
    {
        var choices = Enum.GetValues<T>().Select(v => (Name: names is not null && names.TryGetValue(v, out var n) ? n : CliOptions.Kebab(v.ToString()), Value: v)).ToList();
        Default = defaultValue;
        Description = $"{description} [default: {choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, defaultValue)).Name}]";
        HelpName = string.Join('|', choices.Select(c => c.Name));
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            foreach (var (choiceName, value) in choices)
                if (text.Equals(choiceName, StringComparison.OrdinalIgnoreCase) || text.Replace("-", "").Equals(value.ToString(), StringComparison.OrdinalIgnoreCase))
                    return value;
            result.AddError($"{name}: '{text}' is not one of: {string.Join(", ", choices.Select(c => c.Name))}");
            return null;
        };
        CompletionSources.Clear();
        CompletionSources.Add(choices.Select(c => c.Name).ToArray());
    }

    /// <summary>The value used when the option is not given.</summary>
    public T Default { get; }

    /// <summary>The given value, or <see cref="Default"/>.</summary>
    public T Get(ParseResult parse) => parse.GetValue(this) ?? Default;
}
