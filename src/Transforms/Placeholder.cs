namespace XRight; internal static class Placeholder { }
