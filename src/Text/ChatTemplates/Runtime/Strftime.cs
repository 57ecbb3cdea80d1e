using System.Globalization;
using System.Text;

namespace XRight.Text.ChatTemplates.Runtime;

/// <summary>
/// Python's <c>datetime.now().strftime(format)</c> in the C locale, for <c>strftime_now</c>. Hugging Face reads a
/// naive local time, so <c>%Z</c> and <c>%z</c> are empty. The glibc flag <c>-</c> (<c>%-d</c>) drops the padding.
/// </summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset now, string format)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                text.Append(format[i]);
                continue;
            }
            bool unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            char directive = format[i + (unpadded ? 2 : 1)];
            i += unpadded ? 2 : 1;
            text.Append(Directive(now, directive, unpadded));
        }
        return text.ToString();
    }

    private static string Directive(DateTimeOffset t, char directive, bool unpadded)
    {
        string Number(int value, int width, char pad = '0') =>
            unpadded ? value.ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture).PadLeft(width, pad);
        int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        int weekday = (int)t.DayOfWeek;
        int yearDay = t.DayOfYear - 1;
        return directive switch
        {
            'a' => Days[weekday][..3],
            'A' => Days[weekday],
            'b' or 'h' => Months[t.Month - 1][..3],
            'B' => Months[t.Month - 1],
            'c' => Invariant($"{Days[weekday][..3]} {Months[t.Month - 1][..3]} {t.Day,2} {t.Hour:00}:{t.Minute:00}:{t.Second:00} {t.Year}"),
            'C' => Number(t.Year / 100, 2),
            'd' => Number(t.Day, 2),
            'D' => Invariant($"{t.Month:00}/{t.Day:00}/{t.Year % 100:00}"),
            'e' => Number(t.Day, 2, ' '),
            'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture),
            'F' => Invariant($"{t.Year:0000}-{t.Month:00}-{t.Day:00}"),
            'H' => Number(t.Hour, 2),
            'I' => Number(hour12, 2),
            'j' => Number(t.DayOfYear, 3),
            'k' => Number(t.Hour, 2, ' '),
            'l' => Number(hour12, 2, ' '),
            'm' => Number(t.Month, 2),
            'M' => Number(t.Minute, 2),
            'n' => "\n",
            'p' => t.Hour < 12 ? "AM" : "PM",
            'R' => Invariant($"{t.Hour:00}:{t.Minute:00}"),
            'S' => Number(t.Second, 2),
            't' => "\t",
            'T' or 'X' => Invariant($"{t.Hour:00}:{t.Minute:00}:{t.Second:00}"),
            'u' => weekday == 0 ? "7" : weekday.ToString(CultureInfo.InvariantCulture),
            'U' => Number((yearDay + 7 - weekday) / 7, 2),
            'w' => weekday.ToString(CultureInfo.InvariantCulture),
            'W' => Number((yearDay + 7 - (weekday + 6) % 7) / 7, 2),
            'x' => Invariant($"{t.Month:00}/{t.Day:00}/{t.Year % 100:00}"),
            'y' => Number(t.Year % 100, 2),
            'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
            'z' or 'Z' => "",
            '%' => "%",
            _ => throw new TemplateError($"strftime_now: the format directive '%{directive}' is not supported"),
        };
    }
}
