// Turning decoded ids back into text: special tokens (<pad>, <start>, <end>) are dropped and decoding stops
// at the first <end>, so a model that emits ids past its end token never leaks them into a caption.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Captioning;

/// <summary>Id sequence → words → caption text.</summary>
public static class CaptionText
{
    /// <summary>The words of <paramref name="ids"/> up to the first &lt;end&gt;, without special tokens.</summary>
    public static IReadOnlyList<string> Words(Vocabulary vocabulary, IEnumerable<int> ids)
    {
        var words = new List<string>();
        foreach (int id in ids)
        {
            if (id == Vocabulary.EndId) break;
            if (id is Vocabulary.PadId or Vocabulary.StartId) continue;
            words.Add(vocabulary.GetToken(id));
        }
        return words;
    }

    /// <summary>The caption text of <paramref name="ids"/>.</summary>
    public static string Detokenize(ITokenizer tokenizer, Vocabulary vocabulary, IEnumerable<int> ids) =>
        tokenizer.Detokenize(Words(vocabulary, ids));
}
