using System.Text.Json.Nodes;
using XRight.Modeling;

namespace XRight.Tests.Modeling;

/// <summary>
/// An independent forward pass in plain double-precision loops, written from the Hugging Face
/// definitions of GPT-NeoX, Llama and OPT and reading only the state dict by its Hugging Face names
/// (and, for OPT, its own keys of config.json). One unpadded sequence; returns logits [T][vocab].
/// </summary>
internal sealed class ReferenceTransformer
{
    private readonly CausalLmConfig _c;
    private readonly JsonObject _json;
    private readonly Dictionary<string, double[]> _w;

    public ReferenceTransformer(CausalLm model)
    {
        _c = model.Config;
        _json = JsonNode.Parse(_c.ToJson())!.AsObject();
        _w = model.state_dict().ToDictionary(kv => kv.Key, kv => TinyModels.ToDoubles(kv.Value));
    }

    public double[][] Logits(int[] ids)
    {
        if (_c.ModelType == "opt") return OptLogits(ids);
        bool neox = _c.Architecture == CausalLmArchitecture.GptNeoX;
        var embedding = _w[neox ? "gpt_neox.embed_in.weight" : "model.embed_tokens.weight"];
        var head = _c.TieWordEmbeddings ? embedding : _w[neox ? "embed_out.weight" : "lm_head.weight"];
        return FinalHidden(ids).Select(x => MatVec(head, _c.VocabSize, _c.HiddenSize, x)).ToArray();
    }

    /// <summary>The final hidden states [T][hidden] (after the final norm) of GPT-NeoX and Llama models.</summary>
    public double[][] FinalHidden(int[] ids)
    {
        if (_c.ModelType == "opt") throw new NotSupportedException("The reference gives OPT's logits only.");
        bool neox = _c.Architecture == CausalLmArchitecture.GptNeoX;
        string trunk = neox ? "gpt_neox." : "model.";
        int d = _c.HiddenSize, T = ids.Length;
        var embedding = _w[trunk + (neox ? "embed_in.weight" : "embed_tokens.weight")];
        var h = new double[T][];
        for (int t = 0; t < T; t++) h[t] = embedding.AsSpan(ids[t] * d, d).ToArray();

        for (int l = 0; l < _c.NumHiddenLayers; l++)
        {
            string p = $"{trunk}layers.{l}.";
            if (neox)
            {
                var attn = NeoXAttention(p, h.Select(x => LayerNorm(x, p + "input_layernorm")).ToArray());
                if (_c.UseParallelResidual)
                {
                    var mlp = h.Select(x => NeoXMlp(p, LayerNorm(x, p + "post_attention_layernorm"))).ToArray();
                    for (int t = 0; t < T; t++) h[t] = Add(Add(h[t], attn[t]), mlp[t]);
                }
                else
                {
                    for (int t = 0; t < T; t++) h[t] = Add(h[t], attn[t]);
                    for (int t = 0; t < T; t++) h[t] = Add(h[t], NeoXMlp(p, LayerNorm(h[t], p + "post_attention_layernorm")));
                }
            }
            else
            {
                var attn = LlamaAttention(p, h.Select(x => RmsNorm(x, p + "input_layernorm.weight")).ToArray());
                for (int t = 0; t < T; t++) h[t] = Add(h[t], attn[t]);
                for (int t = 0; t < T; t++) h[t] = Add(h[t], LlamaMlp(p, RmsNorm(h[t], p + "post_attention_layernorm.weight")));
            }
        }

        return h.Select(x => neox ? LayerNorm(x, trunk + "final_layer_norm") : RmsNorm(x, trunk + "norm.weight")).ToArray();
    }

    private double[][] NeoXAttention(string p, double[][] x)
    {
        int H = _c.NumAttentionHeads, D = _c.HeadDim, T = x.Length;
        var qkv = x.Select(v => Linear(p + "attention.query_key_value", v)).ToArray();
        // The fused output is laid out per head as [q | k | v].
        double[] Slice(int t, int head, int part) => qkv[t].AsSpan(head * 3 * D + part * D, D).ToArray();
        var q = new double[T][][]; var k = new double[T][][]; var v = new double[T][][];
        for (int t = 0; t < T; t++)
        {
            q[t] = new double[H][]; k[t] = new double[H][]; v[t] = new double[H][];
            for (int head = 0; head < H; head++)
            {
                q[t][head] = Rotate(Slice(t, head, 0), t);
                k[t][head] = Rotate(Slice(t, head, 1), t);
                v[t][head] = Slice(t, head, 2);
            }
        }
        return Attend(q, k, v, groups: 1, scale: 1 / Math.Sqrt(D)).Select(o => Linear(p + "attention.dense", o)).ToArray();
    }

    private double[][] LlamaAttention(string p, double[][] x)
    {
        int H = _c.NumAttentionHeads, KV = _c.NumKeyValueHeads, D = _c.HeadDim, T = x.Length;
        var q = new double[T][][]; var k = new double[T][][]; var v = new double[T][][];
        for (int t = 0; t < T; t++)
        {
            var qa = Linear(p + "self_attn.q_proj", x[t]);
            var ka = Linear(p + "self_attn.k_proj", x[t]);
            var va = Linear(p + "self_attn.v_proj", x[t]);
            q[t] = Enumerable.Range(0, H).Select(hh => Rotate(qa.AsSpan(hh * D, D).ToArray(), t)).ToArray();
            k[t] = Enumerable.Range(0, KV).Select(hh => Rotate(ka.AsSpan(hh * D, D).ToArray(), t)).ToArray();
            v[t] = Enumerable.Range(0, KV).Select(hh => va.AsSpan(hh * D, D).ToArray()).ToArray();
        }
        return Attend(q, k, v, groups: H / KV, scale: 1 / Math.Sqrt(D)).Select(o => Linear(p + "self_attn.o_proj", o)).ToArray();
    }

    // OPT (modeling_opt.py): token embedding, projected in when word_embed_proj_dim differs from hidden_size,
    // plus row t + 2 of the learned position table; pre-LN or post-LN layers; final LayerNorm only with
    // pre-LN (and not _remove_final_layer_norm); projected out; the head is the token embedding unless untied.
    private double[][] OptLogits(int[] ids)
    {
        bool before = (bool?)_json["do_layer_norm_before"] ?? true;
        bool removeFinal = (bool?)_json["_remove_final_layer_norm"] ?? false;
        bool tied = (bool?)_json["tie_word_embeddings"] ?? true;
        int d = (int)_json["hidden_size"]!, e = (int?)_json["word_embed_proj_dim"] ?? d, T = ids.Length;
        const string decoder = "model.decoder.";
        var tokens = _w[decoder + "embed_tokens.weight"];
        var positions = _w[decoder + "embed_positions.weight"];
        var h = new double[T][];
        for (int t = 0; t < T; t++)
        {
            var x = tokens.AsSpan(ids[t] * e, e).ToArray();
            if (e != d) x = Linear(decoder + "project_in", x);
            h[t] = Add(x, positions.AsSpan((t + 2) * d, d).ToArray());
        }

        for (int l = 0; l < _c.NumHiddenLayers; l++)
        {
            string p = $"{decoder}layers.{l}.";
            var attn = OptAttention(p, before ? h.Select(x => LayerNorm(x, p + "self_attn_layer_norm")).ToArray() : h);
            for (int t = 0; t < T; t++) h[t] = Add(h[t], attn[t]);
            if (!before) h = h.Select(x => LayerNorm(x, p + "self_attn_layer_norm")).ToArray();
            for (int t = 0; t < T; t++)
            {
                var input = before ? LayerNorm(h[t], p + "final_layer_norm") : h[t];
                h[t] = Add(h[t], Linear(p + "fc2", Linear(p + "fc1", input).Select(z => Math.Max(z, 0)).ToArray()));
                if (!before) h[t] = LayerNorm(h[t], p + "final_layer_norm");
            }
        }

        if (before && !removeFinal) h = h.Select(x => LayerNorm(x, decoder + "final_layer_norm")).ToArray();
        if (e != d) h = h.Select(x => Linear(decoder + "project_out", x)).ToArray();
        var head = tied ? tokens : _w["lm_head.weight"];
        return h.Select(x => MatVec(head, _c.VocabSize, e, x)).ToArray();
    }

    // Hugging Face scales the queries by head_dim^−½ as they leave q_proj, then takes plain dot products.
    private double[][] OptAttention(string p, double[][] x)
    {
        int H = _c.NumAttentionHeads, D = _c.HiddenSize / H, T = x.Length;
        var q = new double[T][][]; var k = new double[T][][]; var v = new double[T][][];
        for (int t = 0; t < T; t++)
        {
            var qa = Linear(p + "self_attn.q_proj", x[t]).Select(z => z * Math.Pow(D, -0.5)).ToArray();
            var ka = Linear(p + "self_attn.k_proj", x[t]);
            var va = Linear(p + "self_attn.v_proj", x[t]);
            q[t] = Enumerable.Range(0, H).Select(hh => qa.AsSpan(hh * D, D).ToArray()).ToArray();
            k[t] = Enumerable.Range(0, H).Select(hh => ka.AsSpan(hh * D, D).ToArray()).ToArray();
            v[t] = Enumerable.Range(0, H).Select(hh => va.AsSpan(hh * D, D).ToArray()).ToArray();
        }
        return Attend(q, k, v, groups: 1, scale: 1).Select(o => Linear(p + "self_attn.out_proj", o)).ToArray();
    }

    // Causal softmax attention of scale·q·k; query head h reads key/value head h / groups. Returns the concatenated heads per position.
    private static double[][] Attend(double[][][] q, double[][][] k, double[][][] v, int groups, double scale)
    {
        int T = q.Length, H = q[0].Length, D = q[0][0].Length;
        var output = new double[T][];
        for (int t = 0; t < T; t++)
        {
            output[t] = new double[H * D];
            for (int head = 0; head < H; head++)
            {
                int kvHead = head / groups;
                var scores = new double[t + 1];
                for (int s = 0; s <= t; s++) scores[s] = Dot(q[t][head], k[s][kvHead]) * scale;
                double max = scores.Max();
                var weights = scores.Select(z => Math.Exp(z - max)).ToArray();
                double sum = weights.Sum();
                for (int s = 0; s <= t; s++)
                    for (int i = 0; i < D; i++) output[t][head * D + i] += weights[s] / sum * v[s][kvHead][i];
            }
        }
        return output;
    }

    // Rotate-half rotary on the first RotaryDim dimensions: pairs (i, i + r/2) turn by t·θ^(−2i/r).
    private double[] Rotate(double[] x, int position)
    {
        int r = _c.RotaryDim, half = r / 2;
        var y = (double[])x.Clone();
        for (int i = 0; i < half; i++)
        {
            double angle = position * Math.Pow(_c.RopeTheta, -2.0 * i / r);
            double c = Math.Cos(angle), s = Math.Sin(angle);
            y[i] = x[i] * c - x[i + half] * s;
            y[i + half] = x[i + half] * c + x[i] * s;
        }
        return y;
    }

    private double[] NeoXMlp(string p, double[] x) =>
        Linear(p + "mlp.dense_4h_to_h", Linear(p + "mlp.dense_h_to_4h", x).Select(Gelu).ToArray());

    private double[] LlamaMlp(string p, double[] x)
    {
        var gate = Linear(p + "mlp.gate_proj", x);
        var up = Linear(p + "mlp.up_proj", x);
        return Linear(p + "mlp.down_proj", gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray());
    }

    // ε is 1e-5 for OPT (nn.LayerNorm's default); a LayerNorm without elementwise affine has no weight or bias.
    private double[] LayerNorm(double[] x, string name)
    {
        double eps = _c.ModelType == "opt" ? 1e-5 : _c.NormEpsilon;
        double mean = x.Average();
        double variance = x.Select(z => (z - mean) * (z - mean)).Average();
        bool affine = _c.ModelType != "opt" || ((bool?)_json["layer_norm_elementwise_affine"] ?? true);
        var w = affine ? _w[name + ".weight"] : null;
        var b = affine ? _w[name + ".bias"] : null;
        return x.Select((z, i) => (z - mean) / Math.Sqrt(variance + eps) * (w?[i] ?? 1) + (b?[i] ?? 0)).ToArray();
    }

    private double[] RmsNorm(double[] x, string weight)
    {
        double rms = Math.Sqrt(x.Select(z => z * z).Average() + _c.NormEpsilon);
        var w = _w[weight];
        return x.Select((z, i) => z / rms * w[i]).ToArray();
    }

    private double[] Linear(string name, double[] x)
    {
        var w = _w[name + ".weight"];
        int outFeatures = w.Length / x.Length;
        var y = MatVec(w, outFeatures, x.Length, x);
        if (_w.TryGetValue(name + ".bias", out var b)) for (int i = 0; i < y.Length; i++) y[i] += b[i];
        return y;
    }

    private static double[] MatVec(double[] w, int rows, int cols, double[] x)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) y[r] += w[r * cols + c] * x[c];
        return y;
    }

    private static double Dot(double[] a, double[] b) => a.Select((z, i) => z * b[i]).Sum();

    private static double[] Add(double[] a, double[] b) => a.Select((z, i) => z + b[i]).ToArray();

    private static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>erf to ~1e-14: Maclaurin series for |x| &lt; 3, Laplace's continued fraction for erfc beyond.</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 3)
        {
            double sum = 0, term = ax; // term = (−1)^n x^(2n+1) / n!
            for (int n = 0; n < 80; n++)
            {
                sum += term / (2 * n + 1);
                term *= -ax * ax / (n + 1);
            }
            return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * sum;
        }
        double fraction = 0; // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
        for (int n = 120; n >= 1; n--) fraction = n / 2.0 / (ax + fraction);
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + fraction);
        return Math.Sign(x) * (1 - erfc);
    }
}
