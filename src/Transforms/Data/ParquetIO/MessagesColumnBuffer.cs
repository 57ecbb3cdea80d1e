using System.Globalization;
using Microsoft.ML;
using Parquet;
using XRight.Text;

namespace XRight.Data.ParquetIO;

/// <summary>
/// A list of <c>{role, content}</c> structs (the <c>messages</c> of Hugging Face chat data sets) read as text holding
/// its JSON list (<see cref="ChatMessageJson"/>); a null or empty list reads as empty text. A message whose role or
/// content is null is an error naming the row.
/// </summary>
internal sealed class MessagesColumnBuffer(ParquetColumn column) : ParquetColumnBuffer(column)
{
    private string[] _rows = [];

    public override void Load(ParquetRowGroupReader rowGroup, int rowCount)
    {
        var roleField = Column.Field;
        var contentField = Column.ContentField!;
        int entries = EntryCount(rowGroup);
        if (EntryCount(rowGroup, contentField) != entries)
            throw new InvalidDataException($"the role and content chunks of '{Column.Name}' hold different numbers of entries");
        var roles = new ReadOnlyMemory<char>[entries];
        var contents = new ReadOnlyMemory<char>[entries];
        int[] roleDefinition = new int[entries], contentDefinition = new int[entries], repetition = new int[entries], contentRepetition = new int[entries];
        ReadRaw(rowGroup, roleField, roles, roleDefinition, repetition);
        ReadRaw(rowGroup, contentField, contents, contentDefinition, contentRepetition);

        // A message exists where the levels reach its struct: one below a nullable leaf's maximum.
        int roleMax = roleField.MaxDefinitionLevel, contentMax = contentField.MaxDefinitionLevel;
        int present = roleMax - (roleField.IsNullable ? 1 : 0);
        var rows = new string[rowCount];
        var messages = new List<ChatMessage>();
        int row = -1, nextRole = 0, nextContent = 0;
        void Finish()
        {
            if (row >= 0) rows[row] = messages.Count == 0 ? "" : ChatMessageJson.Format(messages);
            messages.Clear();
        }
        for (int i = 0; i < entries; i++)
        {
            if (repetition[i] == 0)
            {
                Finish();
                if (++row >= rowCount) throw new InvalidDataException($"the chunk holds more than the row group's {rowCount} rows");
            }
            else if (row < 0)
            {
                throw new InvalidDataException("the chunk does not start at a row boundary");
            }
            if (repetition[i] != contentRepetition[i])
                throw new InvalidDataException($"the role and content chunks of '{Column.Name}' disagree on their list structure");
            string? role = roleDefinition[i] == roleMax ? roles[nextRole++].ToString() : null;
            string? content = contentDefinition[i] == contentMax ? contents[nextContent++].ToString() : null;
            if (roleDefinition[i] < present) continue; // an empty or null list, or a null message
            if (role is null || content is null)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"row {row + 1} of the row group: message {messages.Count} of '{Column.Name}' has a null {(role is null ? "role" : "content")}"));
            messages.Add(new ChatMessage(role, content));
        }
        Finish();
        if (row + 1 != rowCount) throw new InvalidDataException($"the chunk holds {row + 1} rows, the row group {rowCount}");
        _rows = rows;
    }

    public override Delegate CreateGetter(ParquetRowCursor cursor) =>
        (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = _rows[cursor.CurrentRowInGroup].AsMemory());
}
