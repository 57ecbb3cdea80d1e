namespace XRight.Text;

/// <summary>One turn of a conversation as a chat template sees it: <c>{"role": Role, "content": Content}</c>.</summary>
/// <param name="Role">Who speaks: <c>system</c>, <c>user</c>, <c>assistant</c>, or another role the template knows.</param>
/// <param name="Content">The text of the turn, passed to the template unchanged.</param>
public sealed record ChatMessage(string Role, string Content);
