using Microsoft.ML.Runtime;
using XRight.MLNet;
using XRight.TextStages;

// In ML.NET's namespace, like ML.NET's own catalog extensions, so no extra using directive is needed.
namespace Microsoft.ML;

/// <summary>Registration of XRight's model loaders in an ML.NET component catalog.</summary>
public static class XRightRegistration
{
    /// <summary>
    /// Registers the loaders of every XRight stage (text stages and post-training), so that
    /// <c>mlContext.Model.Load</c> can read model zips that contain them. ML.NET keeps loaders per
    /// MLContext and a third-party assembly cannot register itself, so a fresh MLContext that loads a
    /// model must call this first (touching <c>mlContext.PostTraining</c> does it as well).
    /// </summary>
    public static ComponentCatalog RegisterXRight(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        TextStageLoaders.Register(catalog);
        JointPostTrainTransformer.Register(catalog);
        return catalog;
    }
}
