using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace XRight.Interop;

/// <summary>
/// The one place that reaches into ML.NET internals. A transformer from a third-party assembly can only
/// round-trip through <c>mlContext.Model.Save</c>/<c>Load</c> with members that Microsoft.ML 5.0.1 keeps
/// internal: the version header of a saved model, the save/load contexts' reader, writer and binary
/// streams, and the component catalog's registration of loaders. The ML.NET conventions of a context
/// are internal too: its seed, GPU settings (read through the environment's internal interface) and
/// its cancellation. Everything is resolved once, eagerly;
/// <see cref="VerifyAllMembersResolve"/> is what the tests call to prove a new ML.NET version still fits.
/// The Microsoft.ML version is pinned in Directory.Packages.props for this reason.
/// </summary>
internal static class MlNetBridge
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly Assembly CoreAssembly = typeof(ComponentCatalog).Assembly;
    private static readonly Type VersionInfoType = RequireType(CoreAssembly, "Microsoft.ML.VersionInfo");
    private static readonly Type LoadContextType = RequireType(CoreAssembly, "Microsoft.ML.ModelLoadContext");
    private static readonly Type SignatureLoadModelType = RequireType(CoreAssembly, "Microsoft.ML.SignatureLoadModel");
    private static readonly Type LoadableClassAttributeType = RequireType(CoreAssembly, "Microsoft.ML.LoadableClassAttribute");
    private static readonly Type LoadableClassAttributeBaseType = RequireType(CoreAssembly, "Microsoft.ML.LoadableClassAttributeBase");
    private static readonly Type LoadableClassInfoType = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw Missing("type ComponentCatalog.LoadableClassInfo");
    private static readonly Type InternalCatalogType = RequireType(typeof(TransformsCatalog).Assembly, "Microsoft.ML.Data.IInternalCatalog");

    private static readonly ConstructorInfo VersionInfoCtor = VersionInfoType.GetConstructor(Instance,
        [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)])
        ?? throw Missing("VersionInfo(string, uint, uint, uint, string, string, string)");

    private static readonly MethodInfo SaveCheckAtModel = RequireMethod(typeof(ModelSaveContext), "CheckAtModel", Type.EmptyTypes);
    private static readonly MethodInfo SaveSetVersionInfo = RequireMethod(typeof(ModelSaveContext), "SetVersionInfo", [VersionInfoType]);
    private static readonly FieldInfo SaveWriter = RequireField(typeof(ModelSaveContext), "Writer");
    private static readonly MethodInfo SaveBinaryStreamMethod = RequireMethod(typeof(ModelSaveContext), "SaveBinaryStream", [typeof(string), typeof(Action<BinaryWriter>)]);

    private static readonly MethodInfo LoadCheckAtModel = RequireMethod(LoadContextType, "CheckAtModel", [VersionInfoType]);
    private static readonly FieldInfo LoadReader = RequireField(LoadContextType, "Reader");
    private static readonly MethodInfo LoadTryLoadBinaryStream = RequireMethod(LoadContextType, "TryLoadBinaryStream", [typeof(string), typeof(Action<BinaryReader>)]);

    private static readonly FieldInfo CatalogLock = RequireField(typeof(ComponentCatalog), "_lock");
    private static readonly MethodInfo CatalogAddClass = typeof(ComponentCatalog).GetMethod("AddClass", Instance) ?? throw Missing("ComponentCatalog.AddClass");
    private static readonly MethodInfo CatalogGetLoadableClassInfo = RequireMethod(typeof(ComponentCatalog), "GetLoadableClassInfo", [typeof(string), typeof(Type)]);
    private static readonly ConstructorInfo LoadableClassAttributeCtor = LoadableClassAttributeType.GetConstructor(Instance,
        [typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])])
        ?? throw Missing("LoadableClassAttribute(Type, Type, Type, string, string[])");
    private static readonly ConstructorInfo LoadableClassInfoCtor = LoadableClassInfoType.GetConstructor(Instance,
        [LoadableClassAttributeBaseType, typeof(MethodInfo), typeof(ConstructorInfo), typeof(MethodInfo), typeof(bool)])
        ?? throw Missing("LoadableClassInfo(LoadableClassAttributeBase, MethodInfo, ConstructorInfo, MethodInfo, bool)");

    private static readonly ConstructorInfo SchemaShapeColumnCtor = typeof(SchemaShape.Column).GetConstructors(Instance)
        .SingleOrDefault(c => c.GetParameters().Length == 5) ?? throw Missing("SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)");
    private static readonly MethodInfo SchemaShapeCreate = typeof(SchemaShape).GetMethod("Create", Static, [typeof(DataViewSchema)])
        ?? throw Missing("SchemaShape.Create(DataViewSchema)");
    private static readonly PropertyInfo InternalCatalogEnvironment = InternalCatalogType.GetProperty("Environment", Instance)
        ?? throw Missing("IInternalCatalog.Environment");

    private static readonly Type HostEnvironmentInternalType = RequireType(CoreAssembly, "Microsoft.ML.Runtime.IHostEnvironmentInternal");
    private static readonly PropertyInfo EnvironmentSeed = RequireProperty(HostEnvironmentInternalType, "Seed", typeof(int?));
    private static readonly PropertyInfo EnvironmentGpuDeviceId = RequireProperty(HostEnvironmentInternalType, "GpuDeviceId", typeof(int?));
    private static readonly PropertyInfo EnvironmentFallbackToCpu = RequireProperty(HostEnvironmentInternalType, "FallbackToCpu", typeof(bool));
    private static readonly Type CancelableType = RequireType(CoreAssembly, "Microsoft.ML.Runtime.ICancelable");
    private static readonly PropertyInfo CancelableIsCanceled = RequireProperty(CancelableType, "IsCanceled", typeof(bool));
    private static readonly MethodInfo ContextCancelExecution = RequireMethod(typeof(MLContext), "CancelExecution", Type.EmptyTypes);

    /// <summary>
    /// Touches every member above (they are static fields, so reading this class resolved them) and
    /// returns how many there are; throws <see cref="MissingMemberException"/> naming the first that no
    /// longer exists.
    /// </summary>
    public static int VerifyAllMembersResolve()
    {
        var members = new object[]
        {
            VersionInfoType, LoadContextType, SignatureLoadModelType, LoadableClassAttributeType, LoadableClassAttributeBaseType,
            LoadableClassInfoType, InternalCatalogType, VersionInfoCtor, SaveCheckAtModel, SaveSetVersionInfo, SaveWriter,
            SaveBinaryStreamMethod, LoadCheckAtModel, LoadReader, LoadTryLoadBinaryStream, CatalogLock, CatalogAddClass,
            CatalogGetLoadableClassInfo, LoadableClassAttributeCtor, LoadableClassInfoCtor, SchemaShapeColumnCtor,
            SchemaShapeCreate, InternalCatalogEnvironment, HostEnvironmentInternalType, EnvironmentSeed, EnvironmentGpuDeviceId,
            EnvironmentFallbackToCpu, CancelableType, CancelableIsCanceled, ContextCancelExecution,
        };
        return members.Length;
    }

    /// <summary>The model header every saved transformer writes (signature exactly 8 characters, loader signature at most 24).</summary>
    public static object CreateVersionInfo(string modelSignature, uint version, string loaderSignature, Type loaderType)
    {
        if (modelSignature.Length != 8) throw new ArgumentException("A model signature has exactly 8 characters.", nameof(modelSignature));
        if (loaderSignature.Length > 24) throw new ArgumentException("A loader signature has at most 24 characters.", nameof(loaderSignature));
        return Invoke(VersionInfoCtor, null, modelSignature, version, version, version, loaderType.Assembly.FullName, loaderSignature, null)!;
    }

    /// <summary>Starts saving a transformer: checks the context, writes the header, returns the writer for its fields.</summary>
    public static BinaryWriter BeginSave(ModelSaveContext context, object versionInfo)
    {
        Invoke(SaveCheckAtModel, context);
        Invoke(SaveSetVersionInfo, context, versionInfo);
        return (BinaryWriter)SaveWriter.GetValue(context)!;
    }

    /// <summary>Writes a named binary entry beside the transformer's own stream in the model zip.</summary>
    public static void SaveBinaryStream(ModelSaveContext context, string name, Action<BinaryWriter> write)
        => Invoke(SaveBinaryStreamMethod, context, name, write);

    /// <summary>Starts loading (the context is ML.NET's internal ModelLoadContext): checks the header, returns the reader.</summary>
    public static BinaryReader BeginLoad(object loadContext, object versionInfo)
    {
        if (!LoadContextType.IsInstanceOfType(loadContext))
            throw new ArgumentException($"Expected ML.NET's ModelLoadContext, got {loadContext?.GetType().FullName ?? "null"}.", nameof(loadContext));
        Invoke(LoadCheckAtModel, loadContext, versionInfo);
        return (BinaryReader)LoadReader.GetValue(loadContext)!;
    }

    /// <summary>Reads a named binary entry written by <see cref="SaveBinaryStream"/>; false when it is absent.</summary>
    public static bool TryLoadBinaryStream(object loadContext, string name, Action<BinaryReader> read)
        => (bool)Invoke(LoadTryLoadBinaryStream, loadContext, name, read)!;

    /// <summary>
    /// Registers a model loader in a catalog, as <c>[assembly: LoadableClass(typeof(T), null,
    /// typeof(SignatureLoadModel), userName, loaderSignature)]</c> would for an ML.NET assembly.
    /// <paramref name="create"/> is a static <c>T Create(IHostEnvironment env, object loadContext)</c>.
    /// Registering twice is a no-op.
    /// </summary>
    public static void RegisterModelLoader(ComponentCatalog catalog, Type instanceType, string userName, string loaderSignature, MethodInfo create)
    {
        lock (CatalogLock.GetValue(catalog)!)
        {
            if (Invoke(CatalogGetLoadableClassInfo, catalog, loaderSignature, SignatureLoadModelType) is not null) return;
            var attribute = Invoke(LoadableClassAttributeCtor, null, instanceType, null, SignatureLoadModelType, userName, new[] { loaderSignature });
            var info = Invoke(LoadableClassInfoCtor, null, attribute, null, null, create, true);
            Invoke(CatalogAddClass, catalog, info, new[] { loaderSignature }, true);
        }
    }

    /// <summary>True when a loader with this signature is registered in the catalog.</summary>
    public static bool IsModelLoaderRegistered(ComponentCatalog catalog, string loaderSignature)
        => Invoke(CatalogGetLoadableClassInfo, catalog, loaderSignature, SignatureLoadModelType) is not null;

    /// <summary>A column of an estimator's output shape (the public type has no public constructor).</summary>
    public static SchemaShape.Column ShapeColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType)
        => (SchemaShape.Column)Invoke(SchemaShapeColumnCtor, null, name, kind, itemType, false, null)!;

    /// <summary>The shape of a concrete schema, as estimators receive it.</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => (SchemaShape)Invoke(SchemaShapeCreate, null, schema)!;

    /// <summary>The host environment behind any ML.NET catalog object (<c>mlContext.Transforms.Text</c>, ...).</summary>
    public static IHostEnvironment EnvironmentOf(object catalog)
    {
        if (!InternalCatalogType.IsInstanceOfType(catalog))
            throw new ArgumentException($"{catalog.GetType().FullName} is not an ML.NET catalog.", nameof(catalog));
        return (IHostEnvironment)InternalCatalogEnvironment.GetValue(catalog)!;
    }

    /// <summary>
    /// The context settings that ML.NET keeps behind its internal environment interface: the seed given
    /// to <c>new MLContext(seed)</c> (null when none was), <c>GpuDeviceId</c> and <c>FallbackToCpu</c>.
    /// An environment without that interface has none of them (null, null, false).
    /// </summary>
    public static EnvironmentSettings SettingsOf(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!HostEnvironmentInternalType.IsInstanceOfType(environment)) return new EnvironmentSettings(null, null, false);
        return new EnvironmentSettings(
            (int?)EnvironmentSeed.GetValue(environment),
            (int?)EnvironmentGpuDeviceId.GetValue(environment),
            (bool)EnvironmentFallbackToCpu.GetValue(environment)!);
    }

    /// <summary>
    /// True once <c>CancelExecution</c> was called on the context a host was registered with (ML.NET
    /// cancels every host registered before the call; hosts registered later start uncancelled).
    /// </summary>
    public static bool IsCanceled(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return CancelableType.IsInstanceOfType(environment) && (bool)CancelableIsCanceled.GetValue(environment)!;
    }

    /// <summary>ML.NET's <c>MLContext.CancelExecution()</c> (public only through the Microsoft.ML.Experimental package).</summary>
    public static void CancelExecution(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Invoke(ContextCancelExecution, context);
    }

    private static object? Invoke(MethodBase method, object? target, params object?[] args)
        => method is ConstructorInfo ctor
            ? ctor.Invoke(BindingFlags.DoNotWrapExceptions, null, args, null)
            : method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, null);

    private static Type RequireType(Assembly assembly, string name) => assembly.GetType(name) ?? throw Missing("type " + name);

    private static MethodInfo RequireMethod(Type type, string name, Type[] parameters)
        => type.GetMethod(name, Instance, parameters) ?? throw Missing($"{type.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))})");

    private static PropertyInfo RequireProperty(Type type, string name, Type propertyType)
    {
        var property = type.GetProperty(name, Instance);
        return property is not null && property.PropertyType == propertyType && property.GetMethod is not null
            ? property
            : throw Missing($"{type.Name}.{name}");
    }

    private static FieldInfo RequireField(Type type, string name) => type.GetField(name, Instance) ?? throw Missing($"{type.Name}.{name}");

    private static MissingMemberException Missing(string what)
        => new($"XRight needs the ML.NET internal member {what}, which this version of Microsoft.ML does not have. XRight is built for Microsoft.ML 5.0.1.");
}

/// <summary>What an ML.NET context says about seeding and devices.</summary>
/// <param name="Seed">The context's seed; null when it was created without one.</param>
/// <param name="GpuDeviceId">The GPU to run on; null for the CPU.</param>
/// <param name="FallbackToCpu">Whether the CPU may be used when the GPU cannot.</param>
internal readonly record struct EnvironmentSettings(int? Seed, int? GpuDeviceId, bool FallbackToCpu);
