namespace XRight.Toy;

/// <summary>
/// The two toy problems of the paper's appendix, with their settings: the 2-D illustration of
/// Figure 2 and the 1-D example behind the lower bound of Theorem 3.3.
/// </summary>
public static class PaperToys
{
    /// <summary>Figure 2: λ of the joint methods (the "average optimum" of both objectives).</summary>
    public const double Figure2Lambda = 0.5;

    /// <summary>Figure 2: steps of SFT on the chosen output that produce θ_ref.</summary>
    public const int Figure2ReferenceSteps = 1000;

    /// <summary>Figure 2: maximum Sequential steps per objective.</summary>
    public const int Figure2SequentialStepsPerObjective = 10_000;

    /// <summary>Figure 2: a Sequential phase stops once its objective is below this value.</summary>
    public const double Figure2StopBelow = 0.05;

    /// <summary>Figure 2: steps of ALRIGHT and MAXRIGHT.</summary>
    public const int Figure2JointSteps = 20_000;

    /// <summary>The lower-bound example's λ.</summary>
    public const double LowerBoundLambda = 0.5;

    /// <summary>
    /// The lower-bound example's θ_ref as the paper's closed forms use it. The text says θ_ref = −5, but
    /// its <c>f_DPO(θ) = log(1 + c(1+e^{θ/2})/(1+e^{−θ/2}))</c> with <c>c = (1+e^5)/(1+e^{−5}) = e^5</c> equals
    /// <c>log(1 + e^{(θ−θ_ref)/2})</c> at θ_ref = −10 for these features (the DPO margin is <c>−(θ−θ_ref)/2</c>);
    /// with θ_ref = −5 the constant would be <c>e^{2.5}</c>. The bound 0.2568 is derived from the closed form.
    /// </summary>
    public const double LowerBoundReferenceTheta = -10;

    /// <summary>Figure 2: the start of θ_ref's training and of every method, [5.0, −9.9].</summary>
    public static IReadOnlyList<double> Figure2Start { get; } = Array.AsReadOnly([5.0, -9.9]);

    /// <summary>Figure 2: learning rate 0.01 and weight decay 0.001, for θ_ref and every method.</summary>
    public static ToyOptimizerOptions Figure2Optimizer { get; } = new() { LearningRate = 0.01, WeightDecay = 0.001 };

    /// <summary>The lower-bound example's start, θ = 0.</summary>
    public static IReadOnlyList<double> LowerBoundStart { get; } = Array.AsReadOnly([0.0]);

    /// <summary>
    /// Figure 2's problem (Table 2 of the paper's v4): θ ∈ R²; DPO on x1 with y_w = 1 (φ = [1, 1]) over
    /// y_l = 0 (φ = [0.5, 0.5]); SFT on x2 whose outputs are y = 0 (φ = [1, 0.5]) and y′ = 1 (φ = [0.5, 0.5]);
    /// θ_ref from SFT on (x1, y_w) for 1000 steps from [5, −9.9] with the paper's optimizer.
    /// </summary>
    /// <param name="beta">DPO β; the paper does not state it.</param>
    /// <param name="sftTarget">
    /// The demonstrated output of x2: 0 (y, the table's SFT target, default) or 1 (y′). With y the two
    /// objectives barely conflict (f_SFT(θ0) ≈ 0.079); with y′ they do, as Figure 2's axes suggest.
    /// </param>
    public static ToyProblem Figure2(double beta, int sftTarget = 0)
    {
        var x1 = new ToyPrompt([0.5, 0.5], [1.0, 1.0]);
        var x2 = new ToyPrompt([1.0, 0.5], [0.5, 0.5]);
        ToyPreference[] preferences = [new(x1, chosen: 1, rejected: 0)];
        var reference = ToyProblem.FitReference(preferences, Figure2Start, Figure2Optimizer, Figure2ReferenceSteps);
        return new ToyProblem(preferences, [new ToyDemonstration(x2, sftTarget)], reference, beta);
    }

    /// <summary>
    /// The lower-bound example (proof of Theorem 3.3): θ ∈ R; DPO on x1 with y_w = 1 (φ = −1.0) over
    /// y_l = 0 (φ = −0.5); SFT on x2 with y = 0 (φ = 1.0) against y′ = 1 (φ = 0.5); β = 1. Then
    /// <c>f_SFT(θ) = log(1 + e^{−θ/2})</c> and <c>f_DPO(θ) = log(1 + e^{(θ−θ_ref)/2})</c>.
    /// </summary>
    /// <param name="referenceTheta">θ_ref; the default reproduces the paper's closed forms (see <see cref="LowerBoundReferenceTheta"/>).</param>
    public static ToyProblem LowerBound(double referenceTheta = LowerBoundReferenceTheta)
    {
        var x1 = new ToyPrompt([-0.5], [-1.0]);
        var x2 = new ToyPrompt([1.0], [0.5]);
        return new ToyProblem([new ToyPreference(x1, chosen: 1, rejected: 0)], [new ToyDemonstration(x2, 0)], [referenceTheta], beta: 1);
    }
}
