// The fitted token ↔ id map (the "transformer" half of VocabularyBuilder/Vocabulary). Ids are dense and
// stable: the four special tokens come first, then tokens by descending training frequency, ordinal ties.
// The JSON form is saved beside a model; loading validates it strictly and names the file on failure.
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

    /// <summary>Parses JSON written by <see cref="ToJson"/>; errors name <paramref name="source"/>.</summary>
    public static Vocabulary FromJson(string json, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: invalid vocabulary JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }
        if (root is not JsonObject obj)
            throw new FormatException($"{source}: expected a JSON object with \"format\", \"version\" and \"tokens\".");
        if (obj["format"]?.GetValueKind() != JsonValueKind.String || obj["format"]!.GetValue<string>() != FormatName)
            throw new FormatException($"{source}: expected \"format\": \"{FormatName}\" (is this a vocabulary file?).");
        if (obj["version"]?.GetValueKind() != JsonValueKind.Number || obj["version"]!.GetValue<int>() != FormatVersion)
            throw new FormatException($"{source}: unsupported vocabulary version {obj["version"]?.ToJsonString() ?? "(missing)"}; expected {FormatVersion}.");
        if (obj["tokens"] is not JsonArray array)
            throw new FormatException($"{source}: expected \"tokens\" to be an array of strings.");
        var tokens = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i]?.GetValueKind() != JsonValueKind.String)
                throw new FormatException($"{source}: vocabulary token {i} is not a string.");
            tokens.Add(array[i]!.GetValue<string>());
        }
        return FromTokens(tokens, source);
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (UTF-8, no BOM).</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Loads and validates a vocabulary file; every error names <paramref name="path"/>.</summary>
    public static Vocabulary Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Vocabulary file not found: {path}", path);
        return FromJson(File.ReadAllText(path), path);
    }
}
