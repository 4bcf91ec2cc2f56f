// One training thread of word2vec (Mikolov et al. 2013): takes a sentence of word ids, sub-samples frequent
// words, slides a randomly shrunk window over what is left and takes negative-sampling steps for skip-gram
// or CBOW. Workers share the two weight matrices without locks ("Hogwild!", Recht et al. 2011): updates are
// sparse, so collisions are rare and harmless for SGD, but the result then depends on thread timing.
// Each worker owns its random generator and scratch buffers, so one worker alone is fully deterministic.
using System.Numerics.Tensors;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Embeddings;

/// <summary>Per-thread word2vec trainer over shared input (V × D) and output (V × D) matrices.</summary>
internal sealed class Word2VecWorker
{
    private readonly Word2VecOptions _options;
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly int _dimensions;
    private readonly NoiseDistribution _noise;
    private readonly float[] _keepProbability;
    private readonly Generator _generator;
    private readonly float[] _hidden;
    private readonly float[] _hiddenGradient;
    private int[] _kept = new int[64];

    public Word2VecWorker(Word2VecOptions options, float[] input, float[] output, NoiseDistribution noise, float[] keepProbability, Generator generator)
    {
        _options = options;
        _input = input;
        _output = output;
        _dimensions = options.Dimensions;
        _noise = noise;
        _keepProbability = keepProbability;
        _generator = generator;
        _hidden = new float[_dimensions];
        _hiddenGradient = new float[_dimensions];
    }

    /// <summary>Trains on one sentence of vocabulary ids at learning rate <paramref name="learningRate"/>.</summary>
    public void TrainSentence(ReadOnlySpan<int> sentence, float learningRate)
    {
        var length = Subsample(sentence);
        var kept = _kept.AsSpan(0, length);
        for (var position = 0; position < kept.Length; position++)
        {
            // The paper's dynamic window: drawing the span uniformly from [1, window] weights nearby words more,
            // since a word at distance d is used with probability (window − d + 1) / window.
            var span = _options.Window - _generator.NextInt(_options.Window);
            var first = Math.Max(0, position - span);
            var last = Math.Min(kept.Length - 1, position + span);
            if (_options.Architecture == Word2VecArchitecture.SkipGram)
                TrainSkipGram(kept, position, first, last, learningRate);
            else
                TrainCbow(kept, position, first, last, learningRate);
        }
    }

    // Keeps each occurrence with the word's keep probability; fills _kept and returns how many survived.
    private int Subsample(ReadOnlySpan<int> sentence)
    {
        if (_kept.Length < sentence.Length)
            _kept = new int[Math.Max(sentence.Length, _kept.Length * 2)];
        var count = 0;
        foreach (var id in sentence)
        {
            var keep = _keepProbability[id];
            if (keep >= 1f || _generator.NextFloat() < keep)
                _kept[count++] = id;
        }
        return count;
    }

    // Skip-gram (paper's formulation): the centre word's input vector predicts each context word.
    private void TrainSkipGram(ReadOnlySpan<int> kept, int position, int first, int last, float learningRate)
    {
        var centre = _input.AsSpan(kept[position] * _dimensions, _dimensions);
        for (var c = first; c <= last; c++)
        {
            if (c == position)
                continue;
            Array.Clear(_hiddenGradient);
            NegativeSampling.Step(centre, _output, kept[c], _noise, _options.NegativeSamples, _generator, learningRate, _hiddenGradient);
            TensorPrimitives.Add(centre, _hiddenGradient, centre);
        }
    }

    // CBOW: the mean of the context input vectors predicts the centre word; every context vector then receives
    // the full gradient of the mean (the reference code does the same rather than dividing by the count).
    private void TrainCbow(ReadOnlySpan<int> kept, int position, int first, int last, float learningRate)
    {
        var contextCount = last - first;
        if (contextCount == 0)
            return;
        Array.Clear(_hidden);
        for (var c = first; c <= last; c++)
        {
            if (c != position)
                TensorPrimitives.Add(_hidden, _input.AsSpan(kept[c] * _dimensions, _dimensions), _hidden);
        }
        TensorPrimitives.Multiply(_hidden, 1f / contextCount, _hidden);
        Array.Clear(_hiddenGradient);
        NegativeSampling.Step(_hidden, _output, kept[position], _noise, _options.NegativeSamples, _generator, learningRate, _hiddenGradient);
        for (var c = first; c <= last; c++)
        {
            if (c != position)
            {
                var context = _input.AsSpan(kept[c] * _dimensions, _dimensions);
                TensorPrimitives.Add(context, _hiddenGradient, context);
            }
        }
    }
}
