using XRight.MLNet;

// In ML.NET's namespace, like ML.NET's own catalogs, so mlContext.PostTraining needs no using directive.
namespace Microsoft.ML;

/// <summary>Adds <c>mlContext.PostTraining</c>.</summary>
public static class PostTrainingCatalogExtensions
{
    extension(MLContext mlContext)
    {
        /// <summary>XRight's joint SFT/DPO post-training: CombineData, JointPostTrain, Evaluate, ParetoSelect, LoadModel.</summary>
        public PostTrainingCatalog PostTraining => new(mlContext);
    }
}
