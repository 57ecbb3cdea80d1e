namespace XRight.Text;

/// <summary>A token's text and id.</summary>
internal readonly record struct TokenRef(string Content, int Id);
