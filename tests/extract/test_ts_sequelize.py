"""Sequelize and sequelize-typescript: define/init/@Table models as ORM models,
static model methods as accesses — each construct with a look-alike that must
not match, at exact positions."""
from __future__ import annotations

from textwrap import dedent

import pytest

from hos_lint.extract.typescript.sequelize import pluralize

IMPORTS = ("import { Sequelize, DataTypes, Model } from 'sequelize'\n"
           "export const sequelize = new Sequelize(process.env.DATABASE_URL)\n")


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("User", "Users"), ("Category", "Categories"), ("Address", "Addresses"), ("Box", "Boxes"),
        ("Person", "People"), ("SalesPerson", "SalesPeople"), ("Child", "Children"), ("Status", "Statuses"),
        ("Index", "Indices"), ("Equipment", "Equipment"), ("Users", "Users"), ("Day", "Days"),
        ("LoyaltyPoint", "LoyaltyPoints"), ("Wolf", "Wolves"), ("Analysis", "Analyses"),
    ],
)
def test_default_table_names_are_english_plurals(singular, plural):
    assert pluralize(singular) == plural


# --- models ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "relation"),
    [
        ("{}", '"Rewards"'),
        ("{ schema: 'loyalty_service' }", 'loyalty_service."Rewards"'),
        ("{ schema: 'loyalty_service', tableName: 'rewards' }", "loyalty_service.rewards"),
        ("{ freezeTableName: true }", '"Reward"'),
        ("{ underscored: true, schema: 'loyalty_service' }", "loyalty_service.rewards"),
    ],
)
def test_define_maps_the_variable(facts, options, relation):
    code = IMPORTS + f"export const Reward = sequelize.define('Reward', {{ points: DataTypes.INTEGER }}, {options})\n"
    assert facts.models(code) == [(3, 14, "Reward", relation)]


def test_define_with_another_variable_name_maps_both_names(facts):
    code = IMPORTS + "const RewardModel = sequelize.define('Reward', {}, { schema: 's' })\nsequelize.define('Tier', {})\n"
    assert facts.models(code) == [
        (3, 7, "RewardModel", 's."Rewards"'), (3, 39, "Reward", 's."Rewards"'), (4, 19, "Tier", '"Tiers"'),
    ]


def test_define_on_a_typed_sequelize_parameter(facts):
    code = dedent("""\
    import { Sequelize } from 'sequelize'
    export default (db: Sequelize) => {
      const Tier = db.define('Tier', {}, { schema: 'loyalty_service', underscored: true })
      return Tier
    }
    """)
    assert facts.models(code) == [(3, 9, "Tier", "loyalty_service.tiers")]


def test_init_maps_the_class(facts):
    code = IMPORTS + dedent("""\
    export class PointEntry extends Model {}
    PointEntry.init({ points: DataTypes.INTEGER }, { sequelize, schema: 'loyalty_service', underscored: true })
    export class Badge extends Model {}
    Badge.init({}, { sequelize: sequelize, modelName: 'Award', tableName: 'badges' })
    """)
    assert facts.models(code) == [(4, 1, "PointEntry", "loyalty_service.point_entries"), (6, 1, "Badge", "badges")]


def test_sequelize_typescript_table(facts):
    code = dedent("""\
    import { Table, Column, Model } from 'sequelize-typescript'
    @Table({ tableName: 'customers', schema: 'user_service' })
    export class Customer extends Model {}
    @Table
    export class Member extends Model {}
    @Table({ modelName: 'Tier', freezeTableName: true })
    export class LoyaltyTier extends Model {}
    """)
    assert facts.models(code) == [
        (3, 14, "Customer", "user_service.customers"), (5, 14, "Member", '"Members"'), (7, 14, "LoyaltyTier", '"Tier"'),
    ]


def test_computed_schema_is_hos205(facts):
    code = IMPORTS + "export const R = sequelize.define('R', {}, { schema: process.env.SCHEMA })\n"
    assert facts.models(code) == []
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 3, 54)]


def test_lookalike_models_not_from_sequelize(facts):
    code = dedent("""\
    import { Table } from './decorators'
    import { Model } from 'objection'
    const registry = new Map()
    export const Reward = registry.define('Reward', {}, { schema: 'auth_service' })
    export class Item extends Model {}
    Item.init({}, { sequelize, schema: 'auth_service' })
    @Table({ schema: 'auth_service' })
    export class Thing {}
    customElements.define('x-reward', Reward)
    """)
    assert facts.models(code) == []


# --- static model methods --------------------------------------------------------------------------


def test_static_methods_on_imported_and_module_level_models(facts):
    code = IMPORTS + dedent("""\
    import { Customer } from './customer.model'
    const Reward = sequelize.define('Reward', {})
    export async function run() {
      await Reward.findAll({ where: {} })
      await Reward.findByPk(1)
      await Customer.count()
      await Customer.update({ tier: 'gold' }, { where: { id: 1 } })
      await Reward.bulkCreate([])
      await Reward.destroy({ where: {} })
      await Customer.increment('points', { by: 1, where: {} })
      await sequelize.models.Reward.upsert({})
      Reward.build({})
    }
    """)
    assert facts.accesses(code) == [
        (6, 9, "read", "class Reward", "findAll"),
        (7, 9, "read", "class Reward", "findByPk"),
        (8, 9, "read", "class Customer", "count"),
        (9, 9, "write", "class Customer", "update"),
        (10, 9, "write", "class Reward", "bulkCreate"),
        (11, 9, "write", "class Reward", "destroy"),
        (12, 9, "write", "class Customer", "increment"),
        (13, 26, "write", "class Reward", "upsert"),
    ]


def test_query_is_raw_sql(facts):
    code = IMPORTS + "export const bump = () => sequelize.query('UPDATE user_service.customers SET x = 1')\n"
    assert [a[:4] for a in facts.accesses(code)] == [(3, 51, "write", "user_service.customers")]


def test_lookalike_locals_parameters_and_other_orms(facts):
    code = dedent("""\
    import { Repository } from 'typeorm'
    import { User } from './user.entity'
    export function run(repo, list: string[]) {
      const cache = { findAll: () => [] }
      cache.findAll()
      repo.update({}, {})
      User.create({ name: 'x' })
    }
    """)
    assert facts.accesses(code) == []


def test_lookalike_statics_of_package_exports_and_module_values(facts):
    code = IMPORTS + dedent("""\
    import { NestFactory } from '@nestjs/core'
    const registry = new Map()
    export async function run() {
      await NestFactory.create(AppModule)
      registry.destroy()
      Promise.all([])
    }
    """)
    assert facts.accesses(code) == []


def test_lookalike_local_variable_named_like_a_model(facts):
    code = IMPORTS + dedent("""\
    import { Customer } from './customer.model'
    export function run(Customer: { findAll(): void }) {
      Customer.findAll()
    }
    """)
    assert facts.accesses(code) == []


def test_define_on_an_instance_imported_from_another_file(facts):
    code = dedent("""\
    import { DataTypes } from 'sequelize'
    import { sequelize } from '../db'
    export const Customer = sequelize.define('Customer', { id: DataTypes.UUID }, { schema: 'user_service' })
    export const findAll = () => sequelize.models.Customer.findAll()
    """)
    assert facts.models(code) == [(3, 14, "Customer", 'user_service."Customers"')]
    assert facts.accesses(code) == [(4, 47, "read", "class Customer", "findAll")]


def test_lookalike_define_on_an_imported_value_without_sequelize(facts):
    code = dedent("""\
    import { registry } from './registry'
    import { sequelize } from '../db'
    export const A = registry.define('A', { x: 1 }, { schema: 'auth_service' })
    export const B = sequelize.define('B', { x: 1 }, { schema: 'auth_service' })
    """)
    assert facts.models(code) == []
