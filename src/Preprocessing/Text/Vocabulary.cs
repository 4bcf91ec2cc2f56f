// The fitted token ↔ id map (the "transformer" half of VocabularyBuilder/Vocabulary). Ids are dense and
// stable: the four special tokens come first, then tokens by descending training frequency, ordinal ties.
// The JSON form is saved beside a model; loading validates it strictly and names the file on failure.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Preprocessing.Text;

/// <summary>Immutable token ↔ id mapping with the special tokens <c>&lt;pad&gt;</c>=0, <c>&lt;unk&gt;</c>=1, <c>&lt;start&gt;</c>=2, <c>&lt;end&gt;</c>=3.</summary>
public sealed class Vocabulary
{
    /// <summary>Padding token, id 0 (so zero-initialized buffers are padding).</summary>
    public const string PadToken = "<pad>";
    /// <summary>Out-of-vocabulary token, id 1.</summary>
    public const string UnknownToken = "<unk>";
    /// <summary>Start-of-sequence token, id 2.</summary>
    public const string StartToken = "<start>";
    /// <summary>End-of-sequence token, id 3.</summary>
    public const string EndToken = "<end>";

    /// <summary>Id of <see cref="PadToken"/>.</summary>
    public const int PadId = 0;
    /// <summary>Id of <see cref="UnknownToken"/>.</summary>
    public const int UnknownId = 1;
    /// <summary>Id of <see cref="StartToken"/>.</summary>
    public const int StartId = 2;
    /// <summary>Id of <see cref="EndToken"/>.</summary>
    public const int EndId = 3;

    /// <summary>The special tokens in id order.</summary>
    public static IReadOnlyList<string> SpecialTokens { get; } = [PadToken, UnknownToken, StartToken, EndToken];

    private const string FormatName = "pipeline-vocabulary";
    private const int FormatVersion = 1;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens, Dictionary<string, int> ids)
    {
        _tokens = tokens;
        _ids = ids;
    }

    /// <summary>Number of ids, special tokens included (the embedding table's row count).</summary>
    public int Count => _tokens.Length;

    /// <summary>All tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Builds a vocabulary from tokens in id order. The list must start with the four special tokens and hold
    /// no duplicates; <paramref name="source"/> names the origin (a file path) in error messages.
    /// </summary>
    public static Vocabulary FromTokens(IReadOnlyList<string> tokens, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(tokens);
        for (var i = 0; i < SpecialTokens.Count; i++)
        {
            if (tokens.Count <= i || tokens[i] != SpecialTokens[i])
                throw new FormatException(
                    $"{source}: vocabulary must start with the special tokens {string.Join(", ", SpecialTokens)}; " +
                    $"token {i} is {(tokens.Count <= i ? "missing" : $"'{tokens[i]}'")}.");
        }
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (string.IsNullOrEmpty(token))
                throw new FormatException($"{source}: vocabulary token {i} is empty.");
            if (!ids.TryAdd(token, i))
                throw new FormatException($"{source}: vocabulary token '{token}' appears twice (ids {ids[token]} and {i}).");
        }
        return new Vocabulary([.. tokens], ids);
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int GetId(string token) => _ids.TryGetValue(token, out var id) ? id : UnknownId;

    /// <summary>Whether <paramref name="token"/> has its own id.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The token with id <paramref name="id"/>.</summary>
    public string GetToken(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Id must be in [0, {_tokens.Length}).");
        return _tokens[id];
    }

    /// <summary>Maps tokens to ids (unknown → <see cref="UnknownId"/>), optionally wrapped in &lt;start&gt; … &lt;end&gt;.</summary>
    public int[] Encode(IReadOnlyList<string> tokens, bool addStartAndEnd = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var offset = addStartAndEnd ? 1 : 0;
        var ids = new int[tokens.Count + 2 * offset];
        if (addStartAndEnd)
        {
            ids[0] = StartId;
            ids[^1] = EndId;
        }
        for (var i = 0; i < tokens.Count; i++)
            ids[i + offset] = GetId(tokens[i]);
        return ids;
    }

    /// <summary>Maps ids back to tokens: stops at the first &lt;end&gt;, skips &lt;pad&gt; and &lt;start&gt;; &lt;unk&gt; is kept.</summary>
    public List<string> Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (id == EndId)
                break;
            if (id is PadId or StartId)
                continue;
            tokens.Add(GetToken(id));
        }
        return tokens;
    }

    /// <summary>Serializes as <c>{"format":"pipeline-vocabulary","version":1,"tokens":[...]}</c>.</summary>
    public string ToJson()
    {
        var tokens = new JsonArray();
        foreach (var token in _tokens)
            tokens.Add(token);
        var root = new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion, ["tokens"] = tokens };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Largest vocabulary file <see cref="Load"/> reads (64 MiB).</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Parses JSON written by <see cref="ToJson"/>; errors name <paramref name="source"/>.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Names the origin in error messages.</param>
    /// <param name="maxTokens">More tokens than this is an error, raised before they are all held (untrusted files).</param>
    public static Vocabulary FromJson(string json, string source = "<memory>", int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromUtf8(Encoding.UTF8.GetBytes(json), source, maxTokens);
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (UTF-8, no BOM).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>
    /// Loads and validates a vocabulary file; every error names <paramref name="path"/>. The file must be a regular file of at
    /// most <see cref="MaxFileBytes"/> bytes and hold at most <paramref name="maxTokens"/> tokens (checked while reading).
    /// </summary>
    public static Vocabulary Load(string path, int maxTokens = int.MaxValue)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Vocabulary file not found: {path}", path);
        return FromUtf8(Files.BoundedFile.ReadAllBytes(path, MaxFileBytes, "vocabulary file"), path, maxTokens);
    }

    /// <summary>
    /// Counts the tokens of a vocabulary file without building it (a streaming pass, nothing kept), or returns the problem
    /// that makes it unreadable; stops counting past <paramref name="maxTokens"/> (returning maxTokens + 1).
    /// </summary>
    public static int CountTokens(string path, int maxTokens = int.MaxValue)
    {
        var bytes = Files.BoundedFile.ReadAllBytes(path, MaxFileBytes, "vocabulary file");
        int count = 0;
        Parse(bytes, path, _ => ++count <= maxTokens, materialize: false);
        return count;
    }

    // One forward pass of Utf8JsonReader over the bytes (no DOM: a DOM of a million tokens costs gigabytes).
    private static Vocabulary FromUtf8(byte[] bytes, string source, int maxTokens)
    {
        var tokens = new List<string>();
        Parse(bytes, source, token =>
        {
            if (tokens.Count >= maxTokens)
                throw new FormatException($"{source}: the vocabulary has more than {maxTokens:N0} tokens, the most this model can use.");
            tokens.Add(token!);
            return true;
        });
        return FromTokens(tokens, source);
    }

    // Calls onToken for each token in order while it returns true (with null instead of the text when not materialize);
    // validates format, version and types.
    private static void Parse(byte[] bytes, string source, Func<string?, bool> onToken, bool materialize = true)
    {
        var reader = new Utf8JsonReader(bytes);
        string? format = null;
        int? version = null;
        bool sawTokens = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new FormatException($"{source}: expected a JSON object with \"format\", \"version\" and \"tokens\".");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "format":
                        format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (format != FormatName) throw new FormatException($"{source}: expected \"format\": \"{FormatName}\" (is this a vocabulary file?).");
                        break;
                    case "version":
                        version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int v) ? v : -1;
                        if (version != FormatVersion)
                            throw new FormatException($"{source}: unsupported vocabulary version {(reader.TokenType == JsonTokenType.Number ? reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture) : "(not a number)")}; expected {FormatVersion}.");
                        break;
                    case "tokens":
                        if (format is null || version is null) throw new FormatException($"{source}: \"format\" and \"version\" must come before \"tokens\" (is this a vocabulary file?).");
                        if (reader.TokenType != JsonTokenType.StartArray) throw new FormatException($"{source}: expected \"tokens\" to be an array of strings.");
                        sawTokens = true;
                        for (int i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
                        {
                            if (reader.TokenType != JsonTokenType.String) throw new FormatException($"{source}: vocabulary token {i} is not a string.");
                            if (!onToken(materialize ? reader.GetString()! : null)) return;
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: invalid vocabulary JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }
        if (format is null) throw new FormatException($"{source}: expected \"format\": \"{FormatName}\" (is this a vocabulary file?).");
        if (version is null) throw new FormatException($"{source}: unsupported vocabulary version (missing); expected {FormatVersion}.");
        if (!sawTokens) throw new FormatException($"{source}: expected \"tokens\" to be an array of strings.");
    }
}
