Console.WriteLine("ToyTradeoff: not written yet.");
