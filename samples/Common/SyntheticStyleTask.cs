namespace XRight.Samples;

/// <summary>
/// A small, deterministic post-training task in which SFT and DPO really pull apart, so the forgetting of
/// sequential training shows. Prompts ask for a fact ("What is the color of a banana?"). The instruction
/// data answers in a calm style ("yellow."); the preference data prefers an excited style ("yellow!!!")
/// over exactly that calm answer. Both styles begin with the same fact, so the DPO loss, which compares
/// them, has no gradient on the fact's tokens: preference training moves the style, not the facts. A model
/// cannot make the calm answers likely and, at the same time, rank the excited ones far above them: the two objectives have different optima, and the Pareto front
/// between them is what the strategies trade along. Generations show where a model landed.
/// </summary>
public static class SyntheticStyleTask
{
    private static readonly (string Thing, string Question, string Answer)[] Facts =
    [
        ("banana", "color", "yellow"), ("apple", "color", "red"), ("lime", "color", "green"), ("plum", "color", "purple"),
        ("snow", "color", "white"), ("sky", "color", "blue"), ("cat", "sound", "meow"), ("dog", "sound", "woof"),
        ("cow", "sound", "moo"), ("duck", "sound", "quack"), ("owl", "sound", "hoot"), ("bee", "sound", "buzz"),
        ("spider", "number of legs", "eight"), ("bird", "number of legs", "two"), ("horse", "number of legs", "four"), ("ant", "number of legs", "six"),
    ];

    private static readonly string[] Templates =
    [
        "What is the {1} of a {0}?", "Tell me the {1} of a {0}.", "A {0}: what {1}?", "Quick question: {1} of a {0}?",
        "Do you know the {1} of a {0}?", "Name the {1} of a {0}.",
    ];

    /// <summary>An instruction row.</summary>
    public sealed record Instruction(string Prompt, string Response);

    /// <summary>A preference row.</summary>
    public sealed record Preference(string Prompt, string Chosen, string Rejected);

    /// <summary>Every (fact, template) prompt, in a seeded order.</summary>
    private static List<(string Prompt, string Thing, string Answer)> Prompts(int seed)
    {
        var prompts = Facts.SelectMany(f => Templates.Select(t => (string.Format(t, f.Thing, f.Question), f.Thing, f.Answer))).ToList();
        var random = new Random(seed);
        for (int i = prompts.Count - 1; i > 0; i--) { int j = random.Next(i + 1); (prompts[i], prompts[j]) = (prompts[j], prompts[i]); }
        return prompts;
    }

    /// <summary>
    /// What the stand-in base model reads before post-training: plain sentences stating every fact, and every
    /// task question answered once in each style ("yellow." and "yellow!!!"), the question formatted by
    /// <paramref name="formatPrompt"/> (the chat format post-training will use). A pretrained model knows its
    /// facts and has seen both styles; post-training only has to pick a style, and what it forgets shows in
    /// which one it picks.
    /// </summary>
    public static IEnumerable<string> Sentences(Func<string, string> formatPrompt)
    {
        foreach (var (thing, question, answer) in Facts)
        {
            yield return $"The {question} of a {thing} is {answer}.";
            yield return $"A {thing} has the {question} {answer}.";
            foreach (var template in Templates)
            {
                string prompt = formatPrompt(string.Format(template, thing, question));
                yield return prompt + Calm(answer);
                yield return prompt + Excited(answer);
            }
        }
    }

    /// <summary>Every task question with its answer in both styles (the instruction and preference rows use half each).</summary>
    public static IEnumerable<(string Prompt, string Calm, string Excited)> Questions()
        => Facts.SelectMany(f => Templates.Select(t => (string.Format(t, f.Thing, f.Question), Calm(f.Answer), Excited(f.Answer))));

    private static string Calm(string answer) => $"{answer}.";

    private static string Excited(string answer) => $"{answer}!!!";

    /// <summary>Instruction rows (calm answers) and preference rows (excited over calm) on disjoint prompts.</summary>
    public static (Instruction[] Instructions, Preference[] Preferences) Generate(int seed = 2024)
    {
        var prompts = Prompts(seed);
        int half = prompts.Count / 2;
        var instructions = prompts.Take(half).Select(p => new Instruction(p.Prompt, Calm(p.Answer))).ToArray();
        var preferences = prompts.Skip(half)
            .Select(p => new Preference(p.Prompt, Excited(p.Answer), Calm(p.Answer)))
            .ToArray();
        return (instructions, preferences);
    }
}
