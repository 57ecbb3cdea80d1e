using TorchSharp;
using XRight.Objectives;
using static TorchSharp.torch;

namespace XRight.Tests.Objectives;

[TestClass]
public sealed class DpoLossTests
{
    // Two pairs, β = 0.1:
    //   pair 1: π(y_w) = −1, π(y_l) = −2, ref = −1.5, −1.5 → Δ = 0.5 − (−0.5) = 1   → h = 0.1
    //   pair 2: π(y_w) = −3, π(y_l) = −1, ref = −2,   −2   → Δ = −1 − 1 = −2        → h = −0.2
    // −log σ(0.1) = log(1 + e^−0.1) = 0.6443966600735709; −log σ(−0.2) = log(1 + e^0.2) = 0.7981388693815918.
    private static readonly double[] PolicyChosen = [-1, -3];
    private static readonly double[] PolicyRejected = [-2, -1];
    private static readonly double[] ReferenceChosen = [-1.5, -2];
    private static readonly double[] ReferenceRejected = [-1.5, -2];

    [TestMethod]
    public void SigmoidLossMatchesHandComputation()
    {
        using var scope = torch.NewDisposeScope();
        var result = Compute(new DpoLossOptions());
        Assert.AreEqual((0.6443966600735709 + 0.7981388693815918) / 2, result.Loss.item<double>(), 1e-12);
        CollectionAssert.AreEqual(new[] { 0.05, -0.1 }, Round(result.ChosenRewards));    // β(π − ref) of y_w
        CollectionAssert.AreEqual(new[] { -0.05, 0.1 }, Round(result.RejectedRewards));   // β(π − ref) of y_l
        Assert.IsFalse(result.ChosenRewards.requires_grad);
    }

    [TestMethod]
    public void LossIsLn2WhenPolicyEqualsReference()
    {
        using var scope = torch.NewDisposeScope();
        var logps = torch.tensor(new[] { -3.25, -17.5, -0.125 }, dtype: ScalarType.Float64);
        var other = torch.tensor(new[] { -4.0, -9.0, -2.5 }, dtype: ScalarType.Float64);
        foreach (var beta in new[] { 0.01, 0.1, 1.0, 5.0 })
        {
            var result = DpoLoss.Compute(logps, other, logps, other, new DpoLossOptions { Beta = beta });
            Assert.AreEqual(Math.Log(2), result.Loss.item<double>(), 1e-12, $"β = {beta}");
        }
    }

    [TestMethod]
    public void SigmoidGradientMatchesClosedForm()
    {
        // ∂/∂π(y_w)_i of mean −log σ(h_i) = −β σ(−h_i) / N, and the opposite for π(y_l)_i:
        //   pair 1: −0.1·σ(−0.1)/2 = −0.023751040626053; pair 2: −0.1·σ(0.2)/2 = −0.0274916998656239.
        using var scope = torch.NewDisposeScope();
        var chosen = torch.tensor(PolicyChosen, dtype: ScalarType.Float64, requires_grad: true);
        var rejected = torch.tensor(PolicyRejected, dtype: ScalarType.Float64, requires_grad: true);
        var result = DpoLoss.Compute(chosen, rejected, Doubles(ReferenceChosen), Doubles(ReferenceRejected), new DpoLossOptions());
        result.Loss.backward();
        var expected = new[] { -0.023751040626053002, -0.0274916998656239 };
        var gradChosen = chosen.grad!.data<double>().ToArray();
        var gradRejected = rejected.grad!.data<double>().ToArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.AreEqual(expected[i], gradChosen[i], 1e-12);
            Assert.AreEqual(-expected[i], gradRejected[i], 1e-12);
        }
    }

    [TestMethod]
    [DataRow(DpoLossType.Sigmoid, 0.0)]
    [DataRow(DpoLossType.Sigmoid, 0.2)]
    [DataRow(DpoLossType.Ipo, 0.0)]
    public void GradientMatchesFiniteDifferences(DpoLossType type, double smoothing)
    {
        using var scope = torch.NewDisposeScope();
        var options = new DpoLossOptions { Beta = 0.3, LossType = type, LabelSmoothing = smoothing };
        double[] chosen = [-4.5, -2.0, -7.25], rejected = [-5.0, -1.5, -6.0];
        double[] refChosen = [-4.0, -2.5, -7.0], refRejected = [-4.75, -2.0, -6.5];

        var chosenT = torch.tensor(chosen, dtype: ScalarType.Float64, requires_grad: true);
        var rejectedT = torch.tensor(rejected, dtype: ScalarType.Float64, requires_grad: true);
        DpoLoss.Compute(chosenT, rejectedT, Doubles(refChosen), Doubles(refRejected), options).Loss.backward();
        var autogradChosen = chosenT.grad!.data<double>().ToArray();
        var autogradRejected = rejectedT.grad!.data<double>().ToArray();

        double Loss(double[] c, double[] r) => DpoLoss.Compute(Doubles(c), Doubles(r), Doubles(refChosen), Doubles(refRejected), options).Loss.item<double>();
        const double h = 1e-6;
        for (int i = 0; i < chosen.Length; i++)
        {
            Assert.AreEqual(CentralDifference(x => Loss(x, rejected), chosen, i, h), autogradChosen[i], 1e-8, $"chosen {i}");
            Assert.AreEqual(CentralDifference(x => Loss(chosen, x), rejected, i, h), autogradRejected[i], 1e-8, $"rejected {i}");
        }
    }

    [TestMethod]
    public void ConservativeDpoMatchesHandComputation()
    {
        // Pair 1 alone (h = 0.1), ε = 0.2: −0.8 log σ(0.1) − 0.2 log σ(−0.1). Since −log σ(−h) = −log σ(h) + h,
        // this is −log σ(0.1) + 0.2·0.1 = 0.6443966600735709 + 0.02 = 0.6643966600735709.
        using var scope = torch.NewDisposeScope();
        var result = DpoLoss.Compute(Doubles([-1.0]), Doubles([-2.0]), Doubles([-1.5]), Doubles([-1.5]),
            new DpoLossOptions { LabelSmoothing = 0.2 });
        Assert.AreEqual(0.6643966600735709, result.Loss.item<double>(), 1e-12);
    }

    [TestMethod]
    public void IpoLossMatchesHandComputation()
    {
        // (Δ − 1/(2β))² with β = 0.1 → target margin 5: pair 1 (1 − 5)² = 16, pair 2 (−2 − 5)² = 49; mean 32.5.
        using var scope = torch.NewDisposeScope();
        var result = Compute(new DpoLossOptions { LossType = DpoLossType.Ipo });
        Assert.AreEqual(32.5, result.Loss.item<double>(), 1e-10);
    }

    [TestMethod]
    public void ExtremeMarginsStayFinite()
    {
        // Δ = ±1000 with β = 1: −log σ(1000) ≈ 0 and −log σ(−1000) ≈ 1000; a naive log(sigmoid) gives inf.
        using var scope = torch.NewDisposeScope();
        var options = new DpoLossOptions { Beta = 1 };
        var large = DpoLoss.Compute(Doubles([0.0]), Doubles([-1000.0]), Doubles([0.0]), Doubles([0.0]), options).Loss.item<double>();
        var small = DpoLoss.Compute(Doubles([-1000.0]), Doubles([0.0]), Doubles([0.0]), Doubles([0.0]), options).Loss.item<double>();
        Assert.AreEqual(0, large, 1e-12);
        Assert.AreEqual(1000, small, 1e-9);
    }

    [TestMethod]
    public void HalfPrecisionInputsAreComputedInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        Tensor Bf16(double[] v) => torch.tensor(v, dtype: ScalarType.Float64).to_type(ScalarType.BFloat16);
        var result = DpoLoss.Compute(Bf16(PolicyChosen), Bf16(PolicyRejected), Bf16(ReferenceChosen), Bf16(ReferenceRejected), new DpoLossOptions());
        Assert.AreEqual(ScalarType.Float32, result.Loss.dtype);
        Assert.AreEqual(0.7212677647275814, result.Loss.item<float>(), 1e-6);   // these inputs are exact in bf16
    }

    [TestMethod]
    public void RejectsMismatchedOrMisshapenInputs()
    {
        using var scope = torch.NewDisposeScope();
        var two = Doubles([-1.0, -2.0]);
        var three = Doubles([-1.0, -2.0, -3.0]);
        var options = new DpoLossOptions();

        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => DpoLoss.Compute(two, two, three, two, options));
        StringAssert.Contains(mismatch.Message, "'referenceChosen' has 3 rows but 'policyChosen' has 2");

        var matrix = Assert.ThrowsExactly<ArgumentException>(() => DpoLoss.Compute(two.reshape(1, 2), two, two, two, options));
        StringAssert.Contains(matrix.Message, "'policyChosen' must be a non-empty 1-D tensor");
        StringAssert.Contains(matrix.Message, "[1, 2]");

        var integers = Assert.ThrowsExactly<ArgumentException>(() => DpoLoss.Compute(two, torch.tensor(new long[] { 1, 2 }), two, two, options));
        StringAssert.Contains(integers.Message, "'policyRejected' must hold floating-point");
    }

    [TestMethod]
    public void ComputeValidatesOptions()
    {
        using var scope = torch.NewDisposeScope();
        var t = Doubles([-1.0]);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DpoLoss.Compute(t, t, t, t, new DpoLossOptions { Beta = 0 }));
        Assert.AreEqual("Beta", e.ParamName);
    }

    private static DpoLossResult Compute(DpoLossOptions options) =>
        DpoLoss.Compute(Doubles(PolicyChosen), Doubles(PolicyRejected), Doubles(ReferenceChosen), Doubles(ReferenceRejected), options);

    private static Tensor Doubles(double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    private static double[] Round(Tensor t) => t.data<double>().ToArray().Select(v => Math.Round(v, 12)).ToArray();

    private static double CentralDifference(Func<double[], double> f, double[] x, int i, double h)
    {
        var plus = x.ToArray(); plus[i] += h;
        var minus = x.ToArray(); minus[i] -= h;
        return (f(plus) - f(minus)) / (2 * h);
    }
}
