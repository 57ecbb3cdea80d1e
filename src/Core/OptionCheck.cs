using System.Globalization;

namespace XRight;

/// <summary>Range checks of one options record, with errors that name the option path and the value found.</summary>
internal readonly struct OptionCheck(string group)
{
    public void Require(bool ok, string name, object? value, string rule)
    {
        if (ok) return;
        var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
        throw new ArgumentOutOfRangeException($"{group}.{name}", value, $"{group}.{name} {rule}, found {text}.");
    }
}
