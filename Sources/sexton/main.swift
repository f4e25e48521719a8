print("sexton")
