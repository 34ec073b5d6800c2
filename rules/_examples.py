"""Project files shared by the examples of HOS101 and HOS102.

Each constant is one file of the search service that maps a model, entity or
table object onto ``product_service.products`` (another service's table); the
rules' examples add the file that reads or writes through it.
"""

PRISMA_PRODUCT = {
    "services/search/prisma/schema.prisma": (
        "model Product {\n  id Int @id\n  @@map(\"products\")\n  @@schema(\"product_service\")\n}\n"
    ),
}

TYPEORM_PRODUCT = {
    "services/search/src/product.entity.ts": (
        "import { Entity, PrimaryColumn } from 'typeorm';\n\n"
        "@Entity('products', { schema: 'product_service' })\n"
        "export class Product {\n  @PrimaryColumn() id: number;\n}\n"
    ),
}

DRIZZLE_PRODUCTS = {
    "services/search/src/db/schema.ts": (
        "import { pgSchema } from 'drizzle-orm/pg-core';\n"
        "export const products = pgSchema('product_service').table('products', {});\n"
    ),
}
